package meili

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/meilisearch/meilisearch-go"
)

// TaskError is a Meilisearch task that ended failed or canceled: the
// client's wait returns such a task without an error, Sync turns it into
// this one.
type TaskError struct {
	UID     int64
	Type    string
	Index   string
	Status  string
	Code    string // Meilisearch error code, e.g. invalid_settings_localized_attributes
	Message string // Meilisearch's message
}

func (e *TaskError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("meilisearch task %d (%s on %s) %s", e.UID, e.Type, e.Index, e.Status)
	}
	return fmt.Sprintf("meilisearch task %d (%s on %s) %s: %s (%s)", e.UID, e.Type, e.Index, e.Status, e.Message, e.Code)
}

// code returns the Meilisearch error code and HTTP status of err, if err
// came from the server.
func code(err error) (string, int) {
	var me *meilisearch.Error
	if errors.As(err, &me) {
		return me.MeilisearchApiError.Code, me.StatusCode
	}
	var te *TaskError
	if errors.As(err, &te) {
		return te.Code, 0
	}
	return "", 0
}

// Code returns the Meilisearch error code carried by err ("" if none).
func Code(err error) string { c, _ := code(err); return c }

// IsAuth reports whether err says the API key is missing or refused: a
// configuration error that no retry will fix.
func IsAuth(err error) bool {
	c, status := code(err)
	switch c {
	case "invalid_api_key", "missing_authorization_header":
		return true
	}
	return status == http.StatusUnauthorized || status == http.StatusForbidden
}

// IsNotSynced reports whether err says an index is missing: kb sync has
// not run yet.
func IsNotSynced(err error) bool { return Code(err) == "index_not_found" }

// IsUnreachable reports whether err says no answer came from the server
// (connection refused, no route, a dropped connection): the client's
// communication error, which does not unwrap to the network error.
func IsUnreachable(err error) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && me.ErrCode == meilisearch.MeilisearchCommunicationError
}

// IsTimeout reports whether err says the server answered too late.
func IsTimeout(err error) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && me.ErrCode == meilisearch.MeilisearchTimeoutError
}
