package meili_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
	"github.com/passerelle-org/passerelle/knowledge/meili"
	"github.com/passerelle-org/passerelle/knowledge/meili/meilitest"
)

const key = "test-master-key"

var fast = meili.Options{TaskPoll: time.Millisecond}

func loadBase(t testing.TB) *knowledge.Base {
	t.Helper()
	base, err := knowledge.Load(articles.FS)
	if base == nil {
		t.Fatal(err)
	}
	return base
}

// synced returns a fake server holding base, and a client.
func synced(t testing.TB, base *knowledge.Base) (*meilitest.Server, meilisearch.ServiceManager) {
	t.Helper()
	srv := meilitest.New(t, key)
	client := meili.Connect(srv.URL, key, nil)
	if _, err := meili.Sync(context.Background(), client, base, fast); err != nil {
		t.Fatal(err)
	}
	return srv, client
}

func TestSettingsSent(t *testing.T) {
	base := loadBase(t)
	srv, _ := synced(t, base)
	bodies := map[string]map[string]json.RawMessage{}
	for _, r := range srv.Requests() {
		if r.Method == "PATCH" && strings.HasSuffix(r.Path, "/settings") {
			var b map[string]json.RawMessage
			if err := json.Unmarshal(r.Body, &b); err != nil {
				t.Fatal(err)
			}
			bodies[strings.TrimSuffix(strings.TrimPrefix(r.Path, "/indexes/"), "/settings")] = b
		}
	}
	want := func(idx, field, value string) {
		t.Helper()
		got := string(bodies[idx][field])
		if got != value {
			t.Errorf("%s %s = %s, want %s", idx, field, got, value)
		}
	}
	for _, l := range knowledge.Languages() {
		idx := "passerelle-" + l + "-next"
		if bodies[idx] == nil {
			t.Errorf("no settings sent for %s", idx)
			continue
		}
		want(idx, "searchableAttributes", `["questions","keywords","title","summary","body"]`)
		want(idx, "filterableAttributes", `["lang","reviewed","topic"]`)
		want(idx, "rankingRules", `["words","typo","attribute","proximity","exactness"]`)
		want(idx, "searchCutoffMs", `150`)
		if loc, ok := meili.Locale(l); ok {
			want(idx, "localizedAttributes", `[{"locales":["`+loc+`"],"attributePatterns":["*"]}]`)
		} else if _, sent := bodies[idx]["localizedAttributes"]; sent {
			t.Errorf("%s: localizedAttributes sent for a language Meilisearch has no locale for", idx)
		}
		var stop []string
		json.Unmarshal(bodies[idx]["stopWords"], &stop)
		if len(stop) == 0 {
			t.Errorf("%s: no stop words", idx)
		}
	}
	want("passerelle-ti-next", "typoTolerance", `{"enabled":true,"minWordSizeForTypos":{"oneTypo":4,"twoTypos":7},"disableOnWords":[],"disableOnAttributes":[],"disableOnNumbers":true}`)
	want("passerelle-fa-next", "localizedAttributes", `[{"locales":["pes"],"attributePatterns":["*"]}]`)
	var fr []string
	json.Unmarshal(bodies["passerelle-fr-next"]["stopWords"], &fr)
	for _, w := range []string{"bonjour", "pour", "le"} {
		if !slices.Contains(fr, w) {
			t.Errorf("French stop words lack %q", w)
		}
	}
	var syn map[string][]string
	json.Unmarshal(bodies["passerelle-fa-next"]["synonyms"], &syn)
	if len(syn) == 0 {
		t.Error("no Persian synonyms sent")
	}
}

// TestLocalesMatchLanguagesYAML checks the locale table against the
// shared language catalogue, and that the fake (Meilisearch's documented
// list) accepts every code.
func TestLocalesMatchLanguagesYAML(t *testing.T) {
	data, err := os.ReadFile("../../../shared/kb/languages.yaml")
	if err != nil {
		t.Skip("shared/kb/languages.yaml not found")
	}
	re := regexp.MustCompile(`code: *(\w+),.*meili: *(\w+)`)
	n := 0
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		n++
		got, ok := meili.Locale(m[1])
		switch {
		case m[2] == "none" && ok:
			t.Errorf("%s: locale %s, languages.yaml says none", m[1], got)
		case m[2] != "none" && got != m[2]:
			t.Errorf("%s: locale %q, languages.yaml says %s", m[1], got, m[2])
		case ok && !slices.Contains(meilitest.Locales, got):
			t.Errorf("%s: %s is not a locale Meilisearch accepts", m[1], got)
		}
	}
	if n != 16 {
		t.Errorf("read %d languages from languages.yaml, want 16", n)
	}
}

func TestSyncTwiceChangesNothing(t *testing.T) {
	base := loadBase(t)
	srv, client := synced(t, base)
	before := len(srv.Requests())
	rep, err := meili.Sync(context.Background(), client, base, fast)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changed() || len(rep.Unchanged) != 16 || len(rep.UnchangedDecoys) != 16 {
		t.Errorf("second sync: %+v", rep)
	}
	for _, r := range srv.Requests()[before:] {
		if r.Method != "GET" && !strings.HasSuffix(r.Path, "/documents/fetch") {
			t.Errorf("second sync sent %s %s", r.Method, r.Path)
		}
	}
	var b strings.Builder
	rep.Write(&b)
	if !strings.Contains(b.String(), "nothing to change") {
		t.Errorf("report: %s", b.String())
	}
	want := []string{}
	for _, l := range knowledge.Languages() {
		want = append(want, "passerelle-"+l, "passerelle-elsewhere-"+l)
	}
	slices.Sort(want)
	if got := srv.Indexes(); !slices.Equal(got, want) {
		t.Errorf("indexes %v, want %v (no -next left over)", got, want)
	}
}

// edited returns base with one French article changed and one removed.
func edited(t *testing.T, base *knowledge.Base) *knowledge.Base {
	var arts []*knowledge.Article
	for _, a := range base.Articles() {
		switch {
		case a.Lang == "fr" && a.Topic == "housing.115":
			c := *a
			c.Summary += " Appelez le 115."
			arts = append(arts, &c)
		case a.Lang == "fr" && a.Topic == "meta.about":
		default:
			arts = append(arts, a)
		}
	}
	b, err := knowledge.NewBase(arts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSyncReportsChanges(t *testing.T) {
	base := loadBase(t)
	srv, client := synced(t, base)
	rep, err := meili.Sync(context.Background(), client, edited(t, base), fast)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 1 {
		t.Fatalf("changes %+v, want French only", rep.Changes)
	}
	c := rep.Changes[0]
	if c.Lang != "fr" || !slices.Equal(c.Updated, []string{"housing_115-fr"}) || !slices.Equal(c.Removed, []string{"meta_about-fr"}) || len(c.Added) > 0 || c.Settings {
		t.Errorf("change %+v", c)
	}
	if n := srv.Documents("passerelle-fr"); n != len(base.ArticlesIn("fr"))-1 {
		t.Errorf("live French index holds %d documents", n)
	}
	var b strings.Builder
	rep.Write(&b)
	if !strings.Contains(b.String(), "1 updated (housing_115-fr)") || !strings.Contains(b.String(), "1 removed (meta_about-fr)") {
		t.Errorf("report:\n%s", b.String())
	}
}

func TestSyncFailsWithTaskError(t *testing.T) {
	base := loadBase(t)
	srv, client := synced(t, base)
	srv.FailNext("settingsUpdate", meilitest.APIError{
		Message: "`minWordSizeForTypos` setting is invalid. `oneTypo` must be less than or equal to `twoTypos`.",
		Code:    "invalid_settings_typo_tolerance", Type: "invalid_request"})
	_, err := meili.Sync(context.Background(), client, edited(t, base), fast)
	var te *meili.TaskError
	if !errors.As(err, &te) || te.Code != "invalid_settings_typo_tolerance" || te.Status != "failed" {
		t.Fatalf("err = %v, want the failed task", err)
	}
	if !strings.Contains(err.Error(), "oneTypo` must be less than or equal") {
		t.Errorf("message lacks Meilisearch's: %v", err)
	}
	if n := srv.Documents("passerelle-fr"); n != len(base.ArticlesIn("fr")) {
		t.Errorf("live index changed by a failed sync: %d documents", n)
	}
	// The next sync cleans up and succeeds.
	if _, err := meili.Sync(context.Background(), client, edited(t, base), fast); err != nil {
		t.Fatal(err)
	}
}

// TestSyncFailsOnRejectedSettings runs a first sync against a server that
// does not know the Persian locale: the settings request is refused (400
// invalid_settings_localized_attributes), Sync stops with Meilisearch's
// message and no index is swapped in.
func TestSyncFailsOnRejectedSettings(t *testing.T) {
	base := loadBase(t)
	srv := meilitest.New(t, key)
	srv.SetLocales(slices.DeleteFunc(slices.Clone(meilitest.Locales), func(l string) bool { return l == "pes" }))
	_, err := meili.Sync(context.Background(), meili.Connect(srv.URL, key, nil), base, fast)
	if meili.Code(err) != "invalid_settings_localized_attributes" || !strings.Contains(err.Error(), "Unknown value `pes`") {
		t.Fatalf("err = %v, want the server's refusal of pes", err)
	}
	for _, uid := range srv.Indexes() {
		if !strings.HasSuffix(uid, "-next") {
			t.Errorf("live index %s after a failed sync", uid)
		}
	}
}

func TestSearchesDuringSyncNeverEmpty(t *testing.T) {
	base := loadBase(t)
	_, client := synced(t, base)
	s, err := meili.New(client, base, meili.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var empty, searches int
	var mu sync.Mutex
	wg.Go(func() {
		for ctx.Err() == nil {
			hits, err := s.Search(context.Background(), "je dors dehors, le 115 est gratuit ?", "fr", 3)
			mu.Lock()
			searches++
			if err != nil || len(hits) == 0 {
				empty++
			}
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
		}
	})
	b2 := edited(t, base)
	for range 2 { // change, then back
		if _, err := meili.Sync(context.Background(), client, b2, fast); err != nil {
			t.Fatal(err)
		}
		b2, base = base, b2
	}
	stop()
	wg.Wait()
	if empty > 0 || searches == 0 {
		t.Errorf("%d of %d searches during the syncs were empty or failed", empty, searches)
	}
}

func TestErrors(t *testing.T) {
	base := loadBase(t)
	srv, _ := synced(t, base)
	ctx := context.Background()

	bad := meili.Connect(srv.URL, "wrong", nil)
	s, _ := meili.New(bad, base, meili.Options{})
	if err := s.Check(ctx); !meili.IsAuth(err) || meili.Code(err) != "invalid_api_key" {
		t.Errorf("wrong key: %v", err)
	}
	none := meili.Connect(srv.URL, "", nil)
	if _, err := meili.Sync(ctx, none, base, fast); !meili.IsAuth(err) || meili.Code(err) != "missing_authorization_header" {
		t.Errorf("no key: %v", err)
	}

	good := meili.Connect(srv.URL, key, nil)
	other, _ := meili.New(good, base, meili.Options{Prefix: "elsewhere"})
	if err := other.Check(ctx); !meili.IsNotSynced(err) {
		t.Errorf("missing index: %v", err)
	}
	if _, err := other.Search(ctx, "retour", "fr", 3); !meili.IsNotSynced(err) {
		t.Errorf("search on a missing index: %v", err)
	}

	_, err := good.Index("passerelle-fr").Search("retour", &meilisearch.SearchRequest{Filter: "body = x"})
	if meili.Code(err) != "invalid_search_filter" {
		t.Errorf("filter on a field that is not filterable: %v", err)
	}
	_, err = good.Index("passerelle-fr").UpdateSettings(&meilisearch.Settings{
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{{Locales: []string{"tir"}, AttributePatterns: []string{"*"}}}})
	if meili.Code(err) != "invalid_settings_localized_attributes" {
		t.Errorf("unknown locale: %v", err)
	}

	slow, _ := meili.New(good, base, meili.Options{Timeout: 50 * time.Millisecond})
	srv.SetSearchDelay(500 * time.Millisecond)
	start := time.Now()
	if _, err := slow.Search(ctx, "retour", "fr", 3); err == nil {
		t.Error("slow server: no error")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("slow server: gave up after %v", d)
	}
}

func TestTaskLifeCycle(t *testing.T) {
	srv := meilitest.New(t, key)
	client := meili.Connect(srv.URL, key, nil)
	info, err := client.CreateIndex(&meilisearch.IndexConfig{Uid: "x", PrimaryKey: "id"})
	if err != nil || info.Status != meilisearch.TaskStatusEnqueued {
		t.Fatalf("create: %+v %v", info, err)
	}
	var seen []meilisearch.TaskStatus
	for range 3 {
		task, err := client.GetTask(info.TaskUID)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, task.Status)
	}
	want := []meilisearch.TaskStatus{"processing", "succeeded", "succeeded"}
	if !slices.Equal(seen, want) {
		t.Errorf("statuses %v, want %v", seen, want)
	}
	info, _ = client.CreateIndex(&meilisearch.IndexConfig{Uid: "x"})
	task, err := client.WaitForTask(info.TaskUID, time.Millisecond)
	if err != nil || task.Status != meilisearch.TaskStatusFailed || task.Error.Code != "index_already_exists" {
		t.Errorf("second create: %+v %v", task, err)
	}
}

func TestKeywords(t *testing.T) {
	base := loadBase(t)
	_, client := synced(t, base)
	s, _ := meili.New(client, base, meili.Options{})
	long := "bonjour madame excusez moi de vous déranger je voulais savoir svp si je peux avoir l'aide au retour " +
		"parce que mon frère m'a dit que c'était possible pour les Maliens et combien d'argent on reçoit"
	kw := s.Keywords(long, "fr")
	if len(kw) > meili.MaxQueryWords || len(kw) < 3 {
		t.Fatalf("keywords %v", kw)
	}
	for _, w := range []string{"bonjour", "madame", "svp", "je", "de"} {
		if slices.Contains(kw, w) {
			t.Errorf("stop word %q kept: %v", w, kw)
		}
	}
	if !slices.Contains(kw, "argent") {
		t.Errorf("keywords %v lack argent", kw)
	}
	// Normalised like the embedded index: accents, Persian ZWNJ.
	if a, b := s.Keywords("aide au retour", "fr"), s.Keywords("AIDE au RETOUR", "fr"); !slices.Equal(a, b) {
		t.Errorf("%v != %v", a, b)
	}
	if a, b := s.Keywords("می‌خواهم برگردم", "fa"), s.Keywords("میخواهم برگردم", "fa"); !slices.Equal(a, b) {
		t.Errorf("%v != %v", a, b)
	}
}
