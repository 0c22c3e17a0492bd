package searchtest_test

import (
	"context"
	"testing"
	"time"

	kbleve "github.com/passerelle-org/passerelle/knowledge/bleve"
	"github.com/passerelle-org/passerelle/knowledge/meili"
	"github.com/passerelle-org/passerelle/knowledge/meili/meilitest"
	"github.com/passerelle-org/passerelle/knowledge/searchtest"
)

func TestZZAgree(t *testing.T) {
	base := loadBase(t)
	srv := meilitest.New(t, "")
	c := meili.Connect(srv.URL, "", nil)
	meili.Sync(context.Background(), c, base, meili.Options{TaskPoll: time.Millisecond})
	s, _ := meili.New(c, base, meili.Options{Timeout: 10 * time.Second})
	x, _ := kbleve.New(base)
	t.Logf("agreement %.3f", searchtest.Agreement(t, x, s, searchtest.ReadEval(t, "../../../shared/eval/dev.jsonl")))
}
