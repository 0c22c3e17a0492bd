package knowledge

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const goodArticle = `---
topic: return.allowance
lang: en
title: How much money you get when you go back
questions:
  - How much money do I get if I go home?
keywords: [allowance, money, pécule]
summary: >-
  Short answer that fits 2 SMS segments.
sources:
  - https://www.service-public.fr/particuliers/vosdroits/F33974
verified: 2026-11-23
reviewed: true
---
Body in light Markdown.
`

func TestParseGood(t *testing.T) {
	a, err := Parse("return.allowance/en.md", []byte(goodArticle))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	switch {
	case a.Topic != "return.allowance" || a.Lang != "en":
		t.Errorf("topic/lang = %s/%s", a.Topic, a.Lang)
	case a.Title != "How much money you get when you go back":
		t.Errorf("title = %q", a.Title)
	case len(a.Questions) != 1 || len(a.Keywords) != 3 || len(a.Sources) != 1:
		t.Errorf("lists = %q %q %q", a.Questions, a.Keywords, a.Sources)
	case a.Summary != "Short answer that fits 2 SMS segments.":
		t.Errorf("summary = %q", a.Summary)
	case !a.Verified.Equal(want) || !a.Reviewed:
		t.Errorf("verified/reviewed = %v %v", a.Verified, a.Reviewed)
	case a.Body != "Body in light Markdown.":
		t.Errorf("body = %q", a.Body)
	}
	crlf := strings.ReplaceAll(goodArticle, "\n", "\r\n")
	if _, err := Parse("articles/return.allowance/en.md", []byte("\ufeff"+crlf)); err != nil {
		t.Errorf("CRLF and BOM: %v", err)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, path string
		edit       func(string) string
		want       []string // "line: message part", in order
	}{
		{"unknown topic", "nope/en.md", func(s string) string {
			return strings.Replace(s, "topic: return.allowance", "topic: nope", 1)
		}, []string{`2: unknown topic "nope"`}},
		{"folder mismatch", "return.overview/en.md", nil, []string{`2: topic "return.allowance" does not match the folder "return.overview"`}},
		{"bad lang", "return.allowance/xx.md", func(s string) string {
			return strings.Replace(s, "lang: en", "lang: xx", 1)
		}, []string{`3: unknown lang "xx"`}},
		{"lang mismatch", "return.allowance/fr.md", nil, []string{`3: lang "en" does not match the file name "fr.md"`}},
		{"yaml error", "return.allowance/en.md", func(s string) string {
			return strings.Replace(s, "title: How much", "title: How: much", 1)
		}, []string{`4: front matter: mapping values are not allowed in this context`}},
		{"duplicate key", "return.allowance/en.md", func(s string) string {
			return strings.Replace(s, "lang: en\n", "lang: en\nlang: en\n", 1)
		}, []string{`4: duplicate field "lang"`}},
		{"missing fields", "return.allowance/en.md", func(s string) string {
			s = strings.Replace(s, "title: How much money you get when you go back\n", "", 1)
			s = strings.Replace(s, "verified: 2026-11-23\n", "", 1)
			return strings.Replace(s, "Body in light Markdown.\n", "", 1)
		}, []string{"1: title is missing", "1: verified is missing", "13: body is missing"}},
		{"empty questions and bad urls", "return.allowance/en.md", func(s string) string {
			s = strings.Replace(s, "  - How much money do I get if I go home?", "  - ''", 1)
			return strings.Replace(s, "  - https://www.service-public.fr/particuliers/vosdroits/F33974",
				"  - www.example.org\n  - ftp://x.org/a", 1)
		}, []string{"6: questions: empty entry", "5: questions: at least one question",
			`11: sources: "www.example.org" is not an http(s) URL`, `12: sources: "ftp://x.org/a" is not`}},
		{"no sources", "return.allowance/en.md", func(s string) string {
			return strings.Replace(s, "  - https://www.service-public.fr/particuliers/vosdroits/F33974\n", "", 1)
		}, []string{"10: sources: at least one source URL is needed"}},
		{"bad date and bool and unknown key", "return.allowance/en.md", func(s string) string {
			s = strings.Replace(s, "verified: 2026-11-23", "verified: 23/11/2026\nauthor: me", 1)
			return strings.Replace(s, "reviewed: true", "reviewed: yes please", 1)
		}, []string{`13: unknown field "author"`, `14: reviewed: want true or false`, `12: verified: "23/11/2026" is not a date`}},
		{"no front matter", "return.allowance/en.md", func(string) string { return "Just text\n" },
			[]string{"1: no front matter"}},
		{"unclosed", "return.allowance/en.md", func(s string) string { return strings.Replace(s, "\n---\n", "\n", 1) },
			[]string{"1: front matter is not closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := goodArticle
			if tt.edit != nil {
				src = tt.edit(src)
			}
			_, err := Parse(tt.path, []byte(src))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(tt.want), err)
			}
			for i, w := range tt.want {
				got := ps[i].String()
				if !strings.Contains(got, tt.path+":"+w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got, tt.path+":"+w)
				}
			}
		})
	}
}

func TestParseNoSourcesAllowedForMeta(t *testing.T) {
	src := strings.Replace(goodArticle, "topic: return.allowance", "topic: meta.about", 1)
	src = strings.Replace(src, "sources:\n  - https://www.service-public.fr/particuliers/vosdroits/F33974\n", "sources: []\n", 1)
	if _, err := Parse("meta.about/en.md", []byte(src)); err != nil {
		t.Errorf("meta.about without sources: %v", err)
	}
}
