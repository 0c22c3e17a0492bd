package bleve

import (
	"context"
	"slices"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/knowledge"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"return", "return", 2, 0},
		{"retrun", "return", 2, 1}, // swap
		{"pasport", "passport", 1, 1},
		{"alowance", "allowance", 1, 1},
		{"abcdef", "ghijkl", 2, 3}, // over the limit
		{"ሰላም", "ሰላምታ", 2, 1},
		{"میخواهم", "میخواهد", 1, 1},
	}
	for _, tt := range tests {
		if got := editDistance([]rune(tt.a), []rune(tt.b), tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func TestFuzzinessCountsLetters(t *testing.T) {
	tests := []struct {
		word string
		want int
	}{
		{"oqtf", 0}, {"ofpra", 1}, {"reinsertion", 2},
		{"ሰላም", 0},          // 3 letters, 9 bytes
		{"ምምላስ", 0},         // 4 letters, 12 bytes
		{"ተመሊሰ", 0},         // 4 letters
		{"ሓገዝምምላስ", 1},      // 7 letters, 21 bytes
		{"پناهندگی", 1},     // 8 letters, 16 bytes
		{"पासपोर्ट", 1},     // 8 runes
		{"реінтеграція", 2}, // 12 letters
	}
	for _, tt := range tests {
		if got := fuzziness(utf8.RuneCountInString(tt.word)); got != tt.want {
			t.Errorf("fuzziness(%q) = %d, want %d", tt.word, got, tt.want)
		}
	}
}

func TestAnalyzer(t *testing.T) {
	tests := []struct {
		lang, text string
		want       []string // content terms, in order
	}{
		{"en", "How much money do I get?", []string{"much", "money"}},
		{"en", "passports and returning", []string{"passport", "return"}},
		{"fr", "Je voudrais l'aide au retour, svp", []string{"aid", "retour"}},
		{"fa", "می‌خواهم برگردم", []string{"برگردم"}},
		{"fa", "میخواهم برگردم", []string{"برگردم"}},
		{"fa", "می خواهم برگردم", []string{"برگردم"}},
		{"fa", "کجا می‌روم", []string{"روم"}},
		{"fa", "کجا میروم", []string{"روم"}},
		{"fa", "کجا می روم", []string{"روم"}},
		{"ar", "المساعدة للعودة", []string{"مساعد", "عود"}},
		{"ti", "ሰላም ሓወይ ብOFPRA", []string{"ofpra"}},
	}
	for _, tt := range tests {
		lex, err := knowledge.LoadLexicon(tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		a := newAnalyzer(tt.lang, lex)
		var got []string
		for _, tok := range knowledge.Tokens(tt.text) {
			if a.content(tok) {
				got = append(got, a.term(tok))
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s %q: terms %q, want %q", tt.lang, tt.text, got, tt.want)
		}
	}
}

// synthetic builds an index from a few articles written for the test.
func synthetic(t *testing.T, arts ...*knowledge.Article) *Index {
	t.Helper()
	base, err := knowledge.NewBase(arts)
	if err != nil {
		t.Fatal(err)
	}
	x, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func art(topic, lang, title string, questions, keywords []string, body string) *knowledge.Article {
	return &knowledge.Article{Topic: topic, Lang: lang, Title: title, Questions: questions,
		Keywords: keywords, Summary: title, Body: body}
}

func topics(hits []knowledge.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Topic)
	}
	return out
}

func TestSearchSynthetic(t *testing.T) {
	x := synthetic(t,
		art("return.documents", "en", "Travel documents", []string{"I have no passport"}, []string{"permit"}, "The consulate helps."),
		art("return.travel", "en", "The trip", []string{"Who pays the flight?"}, []string{"permis"}, "OFII pays the ticket."),
		art("return.oqtf", "fr", "L'OQTF", []string{"C'est quoi une OQTF ?"}, []string{"OQTF", "obligation de quitter"}, "Une OQTF est une décision."),
		art("health.ame", "fa", "کمک درمانی", []string{"می‌خواهم دکتر بروم"}, []string{"AME"}, "دکتر"),
		art("housing.115", "ar", "المأوى", []string{"أين أنام الليلة؟"}, []string{"115"}, "اتصل بالرقم 115"),
		art("safety.emergency-numbers", "ti", "ቁጽሪ ሓደጋ", []string{"ፖሊስ ከመይ ይጽዋዕ?"}, []string{"17"}, "ሓገዝ"),
	)
	ctx := context.Background()
	tests := []struct {
		name, query, lang, want string
	}{
		{"exact above fuzzy", "permit", "en", "return.documents"},
		{"exact above fuzzy, other side", "permis", "en", "return.travel"},
		{"typo", "pasport", "en", "return.documents"},
		{"acronym in another language", "ብዛዕባ OQTF ሓበሬታ", "ti", "return.oqtf"},
		{"Persian ZWNJ form", "می‌خواهم دکتر", "fa", "health.ame"},
		{"Persian joined form", "میخواهم دکتر", "fa", "health.ame"},
		{"Persian spaced form", "می خواهم دکتر", "fa", "health.ame"},
		{"Arabic letter variants", "اين انام الليله", "ar", "housing.115"},
		{"Ethiopic homophones", "ሐገዝ ፖሊስ", "ti", "safety.emergency-numbers"},
		{"unknown language searches all", "passport", "xx", "return.documents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := x.Search(ctx, tt.query, tt.lang, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Topic != tt.want {
				t.Fatalf("Search(%q, %s) = %v, want %s first", tt.query, tt.lang, topics(hits), tt.want)
			}
			for _, h := range hits {
				if h.Confidence < 0 || h.Confidence > 1 {
					t.Errorf("confidence %v out of [0,1]", h.Confidence)
				}
			}
		})
	}
	if hits, _ := x.Search(ctx, "permit", "en", 3); len(hits) < 2 || hits[0].Score <= hits[1].Score {
		t.Errorf("exact match should score above the fuzzy one: %+v", hits)
	}
	if hits, err := x.Search(ctx, "?!", "en", 3); err != nil || len(hits) != 0 {
		t.Errorf("punctuation only: %v, %v", hits, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := x.Search(cctx, "passport", "en", 3); err == nil {
		t.Error("cancelled context: want an error")
	}
}

func TestSearchConcurrent(t *testing.T) {
	x := newTestIndex(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for _, q := range []string{"how much money for return", "combien pour rentrer", "115"} {
				if _, err := x.Search(context.Background(), q, []string{"en", "fr"}[i%2], 5); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}
