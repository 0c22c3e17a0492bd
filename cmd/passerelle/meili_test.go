package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/meili/meilitest"
)

const meiliKey = "test-master-key"

func readyz(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/readyz: %d %s", res.StatusCode, b)
	}
	return string(b)
}

func meiliVars(url, key string) map[string]string {
	return map[string]string{"PASSERELLE_MEILI_URL": url, "PASSERELLE_MEILI_API_KEY": key}
}

func TestKBSync(t *testing.T) {
	srv := meilitest.New(t, meiliKey)
	e, out, _ := testEnv(t, "", meiliVars(srv.URL, meiliKey))
	if err := run(context.Background(), []string{"kb", "sync"}, e); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fr  passerelle-fr: new index", "fr  passerelle-elsewhere-fr: new index"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first sync lacks %q:\n%s", want, out)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"kb", "sync"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "nothing to change") {
		t.Errorf("second sync:\n%s", out)
	}

	other := meilitest.New(t, meiliKey)
	other.FailNext("settingsUpdate", meilitest.APIError{
		Message: "`minWordSizeForTypos` setting is invalid. `oneTypo` must be less than or equal to `twoTypos`.",
		Code:    "invalid_settings_typo_tolerance", Type: "invalid_request"})
	e2, _, _ := testEnv(t, "", meiliVars(other.URL, meiliKey))
	err := run(context.Background(), []string{"kb", "sync"}, e2)
	if err == nil || !strings.Contains(err.Error(), "oneTypo` must be less than or equal to `twoTypos`") {
		t.Errorf("failed task: %v", err)
	}

	// A server that refuses the settings (here: it does not know the
	// Persian locale): Meilisearch's own message, nothing changed.
	old := meilitest.New(t, meiliKey)
	old.SetLocales(slices.DeleteFunc(slices.Clone(meilitest.Locales), func(l string) bool { return l == "pes" }))
	e5, _, _ := testEnv(t, "", meiliVars(old.URL, meiliKey))
	err = run(context.Background(), []string{"kb", "sync"}, e5)
	if err == nil || !strings.Contains(err.Error(), "Unknown value `pes` at `.localizedAttributes[0].locales[0]`") {
		t.Errorf("refused settings: %v", err)
	}
	if got := old.Indexes(); slices.Contains(got, "passerelle-fa") {
		t.Errorf("refused settings: indexes %v, want no live Persian index", got)
	}

	for key, code := range map[string]string{"wrong": "invalid_api_key", "": "missing_authorization_header"} {
		e3, _, _ := testEnv(t, "", meiliVars(srv.URL, key))
		if err := run(context.Background(), []string{"kb", "sync"}, e3); err == nil || !strings.Contains(err.Error(), "PASSERELLE_MEILI_API_KEY") || !strings.Contains(err.Error(), code) {
			t.Errorf("key %q: %v", key, err)
		}
	}
	e4, _, _ := testEnv(t, "", nil)
	if err := run(context.Background(), []string{"kb", "sync"}, e4); err == nil || !strings.Contains(err.Error(), "PASSERELLE_MEILI_URL") {
		t.Errorf("no URL: %v", err)
	}
}

func TestServeFromMeilisearch(t *testing.T) {
	srv := meilitest.New(t, meiliKey)
	e, _, _ := testEnv(t, "", meiliVars(srv.URL, meiliKey))
	if err := run(context.Background(), []string{"kb", "sync"}, e); err != nil {
		t.Fatal(err)
	}
	base, m, _ := startWith(t, meiliVars(srv.URL, meiliKey))
	if got := readyz(t, base); !strings.Contains(got, "search: meilisearch") {
		t.Errorf("/readyz: %q", got)
	}
	before := len(srv.Requests())
	hits, err := m.Search.Search(context.Background(), "j'ai reçu une OQTF, ça veut dire quoi", "fr", 3)
	if err != nil || len(hits) == 0 || hits[0].Topic != "return.oqtf" {
		t.Errorf("hits %v, %v", hits, err)
	}
	if len(srv.Requests()) == before {
		t.Error("the search did not reach Meilisearch")
	}
}

func TestServeWithoutMeilisearch(t *testing.T) {
	// Nothing listens on port 1.
	base, m, logs := startWith(t, meiliVars("http://127.0.0.1:1", meiliKey))
	if got := readyz(t, base); !strings.Contains(got, "search: embedded (meilisearch unavailable: unreachable)") ||
		strings.Contains(got, "127.0.0.1") {
		t.Errorf("/readyz: %q, want the reason without the address", got)
	}
	hits, err := m.Search.Search(context.Background(), "j'ai reçu une OQTF, ça veut dire quoi", "fr", 3)
	if err != nil || len(hits) == 0 || hits[0].Topic != "return.oqtf" {
		t.Errorf("hits %v, %v", hits, err)
	}
	if !strings.Contains(logs.String(), "answering from the embedded index") {
		t.Errorf("not logged:\n%s", logs)
	}
}

// TestServeRefusesMeiliKey: a key Meilisearch refuses, or none where it
// requires one, stops the start with a message naming the setting and
// Meilisearch's error code.
func TestServeRefusesMeiliKey(t *testing.T) {
	srv := meilitest.New(t, meiliKey)
	for key, want := range map[string]string{"wrong": "invalid_api_key", "": "missing_authorization_header"} {
		cfg, err := loadConfig("", env(map[string]string{"PASSERELLE_DATA_DIR": t.TempDir(),
			"PASSERELLE_MEILI_URL": srv.URL, "PASSERELLE_MEILI_API_KEY": key}))
		if err != nil {
			t.Fatal(err)
		}
		m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
		err = m.Open(context.Background())
		m.Close()
		if err == nil || !strings.Contains(err.Error(), "PASSERELLE_MEILI_API_KEY") || !strings.Contains(err.Error(), want) {
			t.Errorf("key %q: Open: %v", key, err)
		}
	}
}

// stubSearcher answers with one hit, or fails.
type stubSearcher struct {
	topic string
	err   error
	calls int
}

func (s *stubSearcher) Search(ctx context.Context, q, lang string, limit int) ([]knowledge.Hit, error) {
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	return []knowledge.Hit{{Topic: s.topic, Lang: lang, Confidence: 1}}, nil
}

func TestFallbackSearcher(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	primary := &stubSearcher{topic: "from-meili", err: errors.New("connection refused")}
	backup := &stubSearcher{topic: "from-embedded"}
	f := &fallbackSearcher{primary: primary, backup: backup, clock: func() time.Time { return now },
		log: slog.New(slog.DiscardHandler)}
	search := func() string {
		hits, err := f.Search(context.Background(), "q", "fr", 1)
		if err != nil {
			t.Fatal(err)
		}
		return hits[0].Topic
	}
	if got := search(); got != "from-embedded" || primary.calls != 1 {
		t.Errorf("failure: %s after %d calls", got, primary.calls)
	}
	search()
	if primary.calls != 1 {
		t.Error("Meilisearch asked again during the pause")
	}
	if !strings.Contains(f.Serving(), "embedded") {
		t.Errorf("Serving: %s", f.Serving())
	}
	now = now.Add(meiliRetryAfter)
	primary.err = nil
	if got := search(); got != "from-meili" {
		t.Errorf("after the pause: %s", got)
	}
	if f.Serving() != "search: meilisearch" {
		t.Errorf("Serving: %s", f.Serving())
	}
}
