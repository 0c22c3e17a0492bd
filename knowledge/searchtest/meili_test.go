package searchtest_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/knowledge"
	kbleve "github.com/passerelle-org/passerelle/knowledge/bleve"
	"github.com/passerelle-org/passerelle/knowledge/meili"
	"github.com/passerelle-org/passerelle/knowledge/meili/meilitest"
	"github.com/passerelle-org/passerelle/knowledge/searchtest"
)

// TestMeiliFake runs the contract on the Meilisearch adapter against the
// fake server.
func TestMeiliFake(t *testing.T) {
	base := loadBase(t)
	srv := meilitest.New(t, "master-key")
	client := meili.Connect(srv.URL, "master-key", nil)
	if _, err := meili.Sync(context.Background(), client, base, meili.Options{TaskPoll: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	s, err := meili.New(client, base, meili.Options{TaskPoll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	searchtest.Run(t, s, base)
}

// TestMeiliReal runs the contract on a real Meilisearch when
// PASSERELLE_TEST_MEILI_URL is set (key: PASSERELLE_TEST_MEILI_API_KEY),
// in indexes of their own, deleted afterwards, and compares its answers
// on the development set with the embedded index's.
func TestMeiliReal(t *testing.T) {
	url := os.Getenv("PASSERELLE_TEST_MEILI_URL")
	if url == "" {
		t.Skip("PASSERELLE_TEST_MEILI_URL not set")
	}
	base := loadBase(t)
	ctx := context.Background()
	client := meili.Connect(url, os.Getenv("PASSERELLE_TEST_MEILI_API_KEY"), nil)
	opts := meili.Options{Prefix: fmt.Sprintf("passerelle-test-%d", time.Now().UnixNano())}
	t.Cleanup(func() {
		for _, l := range knowledge.Languages() {
			client.DeleteIndex(opts.IndexUID(l))
			client.DeleteIndex(opts.DecoyIndexUID(l))
		}
	})
	if _, err := meili.Sync(ctx, client, base, opts); err != nil {
		t.Fatal(err)
	}
	rep, err := meili.Sync(ctx, client, base, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changed() {
		t.Errorf("second sync changed %+v", rep.Changes)
	}
	s, err := meili.New(client, base, opts)
	if err != nil {
		t.Fatal(err)
	}
	searchtest.Run(t, s, base)
	x, err := kbleve.New(base)
	if err != nil {
		t.Fatal(err)
	}
	lines := searchtest.ReadEval(t, "../../../shared/eval/dev.jsonl")
	t.Logf("same answer as the embedded index on %.0f%% of the development set",
		100*searchtest.Agreement(t, x, s, lines))
}
