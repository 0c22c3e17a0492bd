package meili

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Change is what Sync did, or would have done, to the index of one
// language.
type Change struct {
	Lang, Index string
	Decoys      bool     // the "known elsewhere" index of the language
	New         bool     // the index did not exist
	Settings    bool     // its settings differed
	Added       []string // document ids
	Updated     []string
	Removed     []string
}

// Report is what Sync changed.
type Report struct {
	Changes   []Change // indexes rebuilt and swapped in
	Unchanged []string // languages whose article index was up to date
	// UnchangedDecoys are the languages whose "known elsewhere" index was
	// up to date.
	UnchangedDecoys []string
}

// Changed reports whether Sync changed anything.
func (r *Report) Changed() bool { return len(r.Changes) > 0 }

// Write prints the report, one line per language.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	for _, c := range r.Changes {
		what := []string{}
		if c.New {
			what = append(what, "new index")
		}
		if c.Settings && !c.New {
			what = append(what, "settings changed")
		}
		for _, p := range []struct {
			n    string
			list []string
		}{{"added", c.Added}, {"updated", c.Updated}, {"removed", c.Removed}} {
			if len(p.list) > 0 {
				what = append(what, fmt.Sprintf("%d %s (%s)", len(p.list), p.n, strings.Join(p.list, ", ")))
			}
		}
		fmt.Fprintf(&b, "%-3s %s: %s\n", c.Lang, c.Index, strings.Join(what, "; "))
	}
	if len(r.Unchanged) > 0 {
		fmt.Fprintf(&b, "unchanged: %s\n", strings.Join(r.Unchanged, " "))
	}
	if len(r.UnchangedDecoys) > 0 {
		fmt.Fprintf(&b, "unchanged known-elsewhere samples: %s\n", strings.Join(r.UnchangedDecoys, " "))
	}
	if !r.Changed() {
		b.WriteString("nothing to change\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// target is one index Sync keeps: its documents (their ids and hashes,
// to compare with the live index) and settings.
type target struct {
	lang, uid string
	decoys    bool
	docs      any // []Document or []Decoy
	hashes    map[string]string
	settings  *meilisearch.Settings
}

// targets returns the indexes base and the "known elsewhere" samples
// call for: per language with articles, its article index and its samples'
// index.
func targets(base *knowledge.Base, opts Options) ([]target, error) {
	lex, err := knowledge.Lexicons()
	if err != nil {
		return nil, err
	}
	elsewhere, err := knowledge.LoadElsewhere()
	if err != nil {
		return nil, err
	}
	var out []target
	for _, l := range knowledge.Languages() {
		docs := Documents(base, l, lex[l])
		if len(docs) == 0 {
			continue
		}
		t := target{lang: l, uid: opts.IndexUID(l), docs: docs, hashes: map[string]string{}, settings: Settings(l, lex[l])}
		for _, d := range docs {
			t.hashes[d.ID] = d.Hash
		}
		out = append(out, t)
		decoys := Decoys(elsewhere, l, lex[l])
		if len(decoys) == 0 {
			continue
		}
		t = target{lang: l, uid: opts.DecoyIndexUID(l), decoys: true, docs: decoys, hashes: map[string]string{}, settings: DecoySettings(l, lex[l])}
		for _, d := range decoys {
			t.hashes[d.ID] = d.Hash
		}
		out = append(out, t)
	}
	return out, nil
}

// Sync makes the Meilisearch indexes hold base, the "known elsewhere"
// samples and the settings of Settings and DecoySettings: for every index
// whose documents or settings differ from what the live index holds, it
// fills a fresh "<index>-next" index (settings first, then documents),
// waits for every task and fails with the task's error when one fails,
// then swaps all those indexes in with one swap-indexes task (atomic:
// searches see the old content or the new, never a half-built index) and
// deletes the old content. Run again with the same base, it changes
// nothing.
func Sync(ctx context.Context, client meilisearch.ServiceManager, base *knowledge.Base, opts Options) (*Report, error) {
	all, err := targets(base, opts)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	type build struct {
		change Change
		target
	}
	var builds []build
	for _, t := range all {
		c, err := diff(ctx, client, t.uid, t.hashes, t.settings)
		if err != nil {
			return nil, err
		}
		c.Lang, c.Decoys = t.lang, t.decoys
		if !c.New && !c.Settings && len(c.Added)+len(c.Updated)+len(c.Removed) == 0 {
			if t.decoys {
				rep.UnchangedDecoys = append(rep.UnchangedDecoys, t.lang)
			} else {
				rep.Unchanged = append(rep.Unchanged, t.lang)
			}
			continue
		}
		builds = append(builds, build{c, t})
	}
	if len(builds) == 0 {
		return rep, nil
	}
	var swaps []*meilisearch.SwapIndexesParams
	for _, b := range builds {
		next := b.change.Index + "-next"
		if err := dropIndex(ctx, client, opts, next); err != nil {
			return nil, err
		}
		pk := "id"
		if err := run(ctx, client, opts, func() (*meilisearch.TaskInfo, error) {
			return client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: next, PrimaryKey: pk})
		}); err != nil {
			return nil, err
		}
		idx := client.Index(next)
		if err := run(ctx, client, opts, func() (*meilisearch.TaskInfo, error) {
			return idx.UpdateSettingsWithContext(ctx, b.settings)
		}); err != nil {
			return nil, fmt.Errorf("settings of %s: %w", b.change.Index, err)
		}
		if err := run(ctx, client, opts, func() (*meilisearch.TaskInfo, error) {
			return idx.AddDocumentsWithContext(ctx, b.docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		}); err != nil {
			return nil, fmt.Errorf("documents of %s: %w", b.change.Index, err)
		}
		pair := []string{b.change.Index, next}
		if b.change.New { // rename "-next" to the live name
			pair = []string{next, b.change.Index}
		}
		swaps = append(swaps, &meilisearch.SwapIndexesParams{Indexes: pair, Rename: b.change.New})
	}
	if err := run(ctx, client, opts, func() (*meilisearch.TaskInfo, error) {
		return client.SwapIndexesWithContext(ctx, swaps)
	}); err != nil {
		return nil, fmt.Errorf("swapping indexes: %w", err)
	}
	for _, b := range builds {
		if !b.change.New { // after a swap, "-next" holds the old content
			if err := dropIndex(ctx, client, opts, b.change.Index+"-next"); err != nil {
				return nil, err
			}
		}
		rep.Changes = append(rep.Changes, b.change)
	}
	return rep, nil
}

// run sends one request that enqueues a task, waits for the task and
// returns its error when it did not succeed.
func run(ctx context.Context, client meilisearch.ServiceManager, opts Options, send func() (*meilisearch.TaskInfo, error)) error {
	info, err := send()
	if err != nil {
		return err
	}
	return wait(ctx, client, info.TaskUID, cmp.Or(opts.TaskPoll, 50*time.Millisecond))
}

// wait waits for a task and turns a failed or canceled one into a
// *TaskError.
func wait(ctx context.Context, client meilisearch.ServiceManager, uid int64, poll time.Duration) error {
	t, err := client.WaitForTaskWithContext(ctx, uid, poll)
	if err != nil {
		return fmt.Errorf("waiting for meilisearch task %d: %w", uid, err)
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return &TaskError{UID: uid, Type: string(t.Type), Index: t.IndexUID, Status: string(t.Status),
			Code: t.Error.Code, Message: t.Error.Message}
	}
	return nil
}

// dropIndex deletes an index, if it exists.
func dropIndex(ctx context.Context, client meilisearch.ServiceManager, opts Options, uid string) error {
	err := run(ctx, client, opts, func() (*meilisearch.TaskInfo, error) { return client.DeleteIndexWithContext(ctx, uid) })
	if err != nil && !IsNotSynced(err) {
		return fmt.Errorf("deleting %s: %w", uid, err)
	}
	return nil
}

// diff compares the live index uid with the documents and settings it
// should hold.
func diff(ctx context.Context, client meilisearch.ServiceManager, uid string, docs map[string]string, want *meilisearch.Settings) (Change, error) {
	c := Change{Index: uid}
	if _, err := client.GetIndexWithContext(ctx, uid); err != nil {
		if IsNotSynced(err) {
			c.New, c.Settings = true, true
			for id := range docs {
				c.Added = append(c.Added, id)
			}
			slices.Sort(c.Added)
			return c, nil
		}
		return c, fmt.Errorf("reading index %s: %w", uid, err)
	}
	idx := client.Index(uid)
	got, err := idx.GetSettingsWithContext(ctx)
	if err != nil {
		return c, fmt.Errorf("reading settings of %s: %w", uid, err)
	}
	c.Settings = !sameSettings(want, got)
	live := map[string]string{}
	for offset := int64(0); ; {
		var res meilisearch.DocumentsResult
		if err := idx.GetDocumentsWithContext(ctx, &meilisearch.DocumentsQuery{
			Fields: []string{"id", "hash"}, Limit: 1000, Offset: offset}, &res); err != nil {
			return c, fmt.Errorf("reading documents of %s: %w", uid, err)
		}
		for _, h := range res.Results {
			var id, hash string
			_ = json.Unmarshal(h["id"], &id)
			_ = json.Unmarshal(h["hash"], &hash)
			live[id] = hash
		}
		offset += int64(len(res.Results))
		if len(res.Results) == 0 || offset >= res.Total {
			break
		}
	}
	for id, hash := range docs {
		switch h, ok := live[id]; {
		case !ok:
			c.Added = append(c.Added, id)
		case h != hash:
			c.Updated = append(c.Updated, id)
		}
		delete(live, id)
	}
	for id := range live {
		c.Removed = append(c.Removed, id)
	}
	slices.Sort(c.Added)
	slices.Sort(c.Updated)
	slices.Sort(c.Removed)
	return c, nil
}

// settingsView is the part of the settings Sync sets, in a form that
// compares equal whatever order the server returns lists in.
type settingsView struct {
	Searchable, Filterable, Displayed []string
	Ranking, Stop                     []string
	Synonyms                          map[string][]string
	Locales                           []string
	Cutoff                            int64
	OneTypo, TwoTypos                 int64
	Typos, TyposOnNumbers             bool
}

func view(s *meilisearch.Settings) settingsView {
	v := settingsView{Searchable: s.SearchableAttributes, Ranking: s.RankingRules, Cutoff: s.SearchCutoffMs,
		Filterable: sorted(s.FilterableAttributes), Displayed: sorted(s.DisplayedAttributes), Stop: sorted(s.StopWords), Synonyms: map[string][]string{}}
	for k, vals := range s.Synonyms {
		v.Synonyms[k] = sorted(vals)
	}
	for _, la := range s.LocalizedAttributes {
		for _, p := range la.AttributePatterns {
			for _, l := range la.Locales {
				v.Locales = append(v.Locales, p+"="+l)
			}
		}
	}
	slices.Sort(v.Locales)
	if t := s.TypoTolerance; t != nil {
		v.OneTypo, v.TwoTypos, v.Typos, v.TyposOnNumbers = t.MinWordSizeForTypos.OneTypo, t.MinWordSizeForTypos.TwoTypos, t.Enabled, t.DisableOnNumbers
	}
	return v
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func sameSettings(want, got *meilisearch.Settings) bool {
	a, _ := json.Marshal(view(want))
	b, _ := json.Marshal(view(got))
	return string(a) == string(b)
}
