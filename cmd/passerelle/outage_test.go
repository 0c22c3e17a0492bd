package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-org/passerelle/knowledge/meili"
)

// TestOutageReason: /readyz says why Meilisearch is not serving in words
// that name no host, whatever the error held.
func TestOutageReason(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&meilisearch.Error{ErrCode: meilisearch.MeilisearchCommunicationError,
			OriginError: errors.New("dial tcp 10.1.2.3:7700: connect: connection refused")}, "unreachable"},
		{fmt.Errorf("search: %w", &meilisearch.Error{ErrCode: meilisearch.MeilisearchTimeoutError}), "too slow"},
		{context.DeadlineExceeded, "too slow"},
		{&meili.TaskError{Code: "index_not_found", Message: "Index `passerelle-ti` not found."}, "not synced: run passerelle kb sync"},
		{&meili.TaskError{Code: "invalid_api_key"}, "API key refused"},
		{errors.New("http://meili.internal:7700/multi-search: something odd"), "error, see the log"},
	} {
		got := outageReason(c.err)
		if got != c.want {
			t.Errorf("outageReason(%v) = %q, want %q", c.err, got, c.want)
		}
		if strings.Contains(got, "7700") || strings.Contains(got, "10.1.2.3") {
			t.Errorf("outageReason(%v) = %q names the server", c.err, got)
		}
	}
}
