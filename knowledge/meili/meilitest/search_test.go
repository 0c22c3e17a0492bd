package meilitest_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-org/passerelle/knowledge/meili/meilitest"
)

// index returns a client on a fake holding docs in index "x", searched in
// title then body.
func index(t *testing.T, docs []map[string]any) meilisearch.IndexManager {
	t.Helper()
	srv := meilitest.New(t, "")
	client := meilisearch.New(srv.URL)
	idx := client.Index("x")
	pk := "id"
	for _, send := range []func() (*meilisearch.TaskInfo, error){
		func() (*meilisearch.TaskInfo, error) {
			return idx.UpdateSettings(&meilisearch.Settings{SearchableAttributes: []string{"title", "body"}})
		},
		func() (*meilisearch.TaskInfo, error) {
			return idx.AddDocuments(docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		},
	} {
		info, err := send()
		if err != nil {
			t.Fatal(err)
		}
		if task, err := client.WaitForTask(info.TaskUID, time.Millisecond); err != nil || task.Status != meilisearch.TaskStatusSucceeded {
			t.Fatalf("task: %+v %v", task, err)
		}
	}
	return idx
}

// search returns the ids and ranking scores of q's hits.
func search(t *testing.T, idx meilisearch.IndexManager, q string, req meilisearch.SearchRequest) ([]string, []float64) {
	t.Helper()
	req.ShowRankingScore = true
	res, err := idx.Search(q, &req)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var scores []float64
	for _, h := range res.Hits {
		var id string
		var score float64
		json.Unmarshal(h["id"], &id)
		json.Unmarshal(h["_rankingScore"], &score)
		ids, scores = append(ids, id), append(scores, score)
	}
	return ids, scores
}

var docs = []map[string]any{
	{"id": "a", "title": "my passport expired", "body": "renew it at the consulate"},
	{"id": "b", "title": "travel", "body": "you need a passport and a ticket"},
	{"id": "c", "title": "money", "body": "the allowance is paid at the airport"},
}

func TestRanking(t *testing.T) {
	idx := index(t, docs)
	// Every word, as typed, in the first attribute, in the query's order.
	ids, scores := search(t, idx, "my passport expired", meilisearch.SearchRequest{})
	if len(ids) == 0 || ids[0] != "a" || scores[0] != 1 {
		t.Errorf("exact match: %v %v, want a first at 1", ids, scores)
	}
	// matchingStrategy last (the default) drops words from the end and
	// never the first: "ticket" alone does not find c.
	ids, scores = search(t, idx, "passport allowance", meilisearch.SearchRequest{})
	if strings.Join(ids, ",") != "a,b" || scores[0] > 0.5 {
		t.Errorf("last: %v %v, want a,b at most 0.5 (one word of two)", ids, scores)
	}
	// frequency drops the word in most documents first: "passport" (2)
	// before "allowance" (1), so c is found and b and a are not.
	ids, _ = search(t, idx, "passport allowance", meilisearch.SearchRequest{MatchingStrategy: meilisearch.Frequency})
	if strings.Join(ids, ",") != "c" {
		t.Errorf("frequency: %v, want c", ids)
	}
	ids, _ = search(t, idx, "passport allowance", meilisearch.SearchRequest{MatchingStrategy: meilisearch.All})
	if len(ids) != 0 {
		t.Errorf("all: %v, want none", ids)
	}
	// Attribute order: the title before the body.
	ids, _ = search(t, idx, "passport", meilisearch.SearchRequest{})
	if strings.Join(ids, ",") != "a,b" {
		t.Errorf("attribute: %v, want a,b", ids)
	}
	// One typo from 5 letters, ranked after the exact word; none on the
	// first letter of a word shorter than 9.
	_, exact := search(t, idx, "passport", meilisearch.SearchRequest{})
	ids, typo := search(t, idx, "pasport", meilisearch.SearchRequest{})
	if len(ids) != 2 || typo[0] >= exact[0] {
		t.Errorf("typo: %v %v, want both, below %v", ids, typo, exact)
	}
	if ids, _ = search(t, idx, "bassport", meilisearch.SearchRequest{}); len(ids) != 0 {
		t.Errorf("first-letter typo: %v, want none", ids)
	}
	// Only the first 10 words count.
	ids, _ = search(t, idx, "one two three four five six seven eight nine ten passport", meilisearch.SearchRequest{MatchingStrategy: meilisearch.Frequency})
	if len(ids) != 0 {
		t.Errorf("11th word: %v, want none", ids)
	}
	// attributesToSearchOn restricts the search to the attributes named.
	ids, _ = search(t, idx, "passport", meilisearch.SearchRequest{AttributesToSearchOn: []string{"title"}})
	if strings.Join(ids, ",") != "a" {
		t.Errorf("attributesToSearchOn: %v, want a", ids)
	}
}

func TestSearchErrors(t *testing.T) {
	idx := index(t, docs)
	for _, c := range []struct {
		req  meilisearch.SearchRequest
		code string
	}{
		{meilisearch.SearchRequest{AttributesToSearchOn: []string{"id"}}, "invalid_search_attributes_to_search_on"},
		{meilisearch.SearchRequest{MatchingStrategy: "some"}, "invalid_search_matching_strategy"},
		{meilisearch.SearchRequest{Filter: "title = x"}, "invalid_search_filter"},
	} {
		_, err := idx.Search("passport", &c.req)
		var me *meilisearch.Error
		if !asError(err, &me) || me.MeilisearchApiError.Code != c.code {
			t.Errorf("%+v: %v, want %s", c.req, err, c.code)
		}
	}
}

func asError(err error, target **meilisearch.Error) bool { return errors.As(err, target) }
