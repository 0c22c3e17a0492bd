package knowledge

import (
	"bytes"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DateLayout is the layout of the verified date in front matter.
const DateLayout = "2006-01-02"

// Parse reads one article file and validates it against the embedded topic
// catalogue. path names the file as "<topic>/<lang>.md" (leading folders
// are ignored); it is used to check the front matter and in messages. On
// failure the error is a Problems listing every problem found, with lines.
func Parse(path string, data []byte) (*Article, error) {
	topics, err := Topics()
	if err != nil {
		return nil, err
	}
	return parse(path, data, topicIndex(topics))
}

// topicIndex maps topic ids to topics.
func topicIndex(topics []Topic) map[string]Topic {
	m := make(map[string]Topic, len(topics))
	for _, t := range topics {
		m[t.ID] = t
	}
	return m
}

// parse does the work of Parse with a given catalogue.
func parse(p string, data []byte, topics map[string]Topic) (*Article, error) {
	probs := &problemList{path: p}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		probs.add(1, `no front matter: the file must start with a line "---"`)
		return nil, probs.err()
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		probs.add(1, `front matter is not closed by a line "---"`)
		return nil, probs.err()
	}
	a := &Article{Path: p, Body: strings.TrimSpace(strings.Join(lines[end+1:], "\n"))}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(lines[1:end], "\n")), &doc); err != nil {
		addYAMLError(probs, err, 1)
		return nil, probs.err()
	}
	fm := &frontMatter{probs: probs, offset: 1}
	fm.read(&doc, a)
	check(a, fm, end, topics)
	if err := probs.err(); err != nil {
		return nil, err
	}
	return a, nil
}

// addYAMLError turns a yaml.v3 error into problems, shifting the YAML line
// numbers by offset so that they count from the top of the file.
func addYAMLError(probs *problemList, err error, offset int) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	for _, m := range strings.Split(msg, "\n") {
		m = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "unmarshal errors:"))
		if m == "" {
			continue
		}
		line, rest := splitYAMLLine(m)
		if line > 0 {
			line += offset
		}
		probs.add(line, "front matter: %s", rest)
	}
}

// splitYAMLLine takes "line N: " out of a yaml.v3 message, returning N (0
// when absent) and the message without it.
func splitYAMLLine(m string) (int, string) {
	i := strings.Index(m, "line ")
	if i < 0 {
		return 0, m
	}
	numEnd := strings.Index(m[i+5:], ": ")
	if numEnd < 0 {
		return 0, m
	}
	n, err := strconv.Atoi(m[i+5 : i+5+numEnd])
	if err != nil {
		return 0, m
	}
	return n, m[:i] + m[i+5+numEnd+2:]
}

// frontMatter reads the YAML mapping between the "---" lines.
type frontMatter struct {
	probs    *problemList
	offset   int            // file line of YAML line 0
	lines    map[string]int // file line of each key present
	sources  []*yaml.Node
	verified string
}

func (fm *frontMatter) line(n *yaml.Node) int { return n.Line + fm.offset }

func (fm *frontMatter) read(doc *yaml.Node, a *Article) {
	fm.lines = map[string]int{}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		fm.probs.add(2, "front matter is empty")
		return
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		fm.probs.add(fm.line(root), "front matter must be a mapping of keys to values")
		return
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if _, dup := fm.lines[k.Value]; dup {
			fm.probs.add(fm.line(k), "duplicate field %q", k.Value)
			continue
		}
		fm.lines[k.Value] = fm.line(k)
		switch k.Value {
		case "topic":
			a.Topic = fm.text(k.Value, v)
		case "lang":
			a.Lang = fm.text(k.Value, v)
		case "title":
			a.Title = fm.text(k.Value, v)
		case "summary":
			a.Summary = fm.text(k.Value, v)
		case "questions":
			a.Questions = fm.list(k.Value, v)
		case "keywords":
			a.Keywords = fm.list(k.Value, v)
		case "sources":
			if v.Kind == yaml.SequenceNode {
				fm.sources = v.Content
			}
			a.Sources = fm.list(k.Value, v)
		case "verified":
			fm.verified = fm.text(k.Value, v)
		case "reviewed":
			if err := v.Decode(&a.Reviewed); err != nil || v.Tag != "!!bool" {
				fm.probs.add(fm.line(v), "reviewed: want true or false, got %q", v.Value)
			}
		default:
			fm.probs.add(fm.line(k), "unknown field %q", k.Value)
		}
	}
}

// text reads a scalar as trimmed text.
func (fm *frontMatter) text(key string, v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		fm.probs.add(fm.line(v), "%s: want text, got a %s", key, kindName(v))
		return ""
	}
	if v.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(v.Value)
}

// list reads a sequence of scalars; blank entries are problems.
func (fm *frontMatter) list(key string, v *yaml.Node) []string {
	if v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		fm.probs.add(fm.line(v), "%s: want a list, got a %s", key, kindName(v))
		return nil
	}
	out := make([]string, 0, len(v.Content))
	for _, item := range v.Content {
		s := fm.text(key, item)
		if s == "" {
			fm.probs.add(fm.line(item), "%s: empty entry", key)
			continue
		}
		out = append(out, s)
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.AliasNode:
		return "alias"
	}
	return "scalar"
}

// check validates the decoded article. end is the 0-based index of the
// closing "---" line.
func check(a *Article, fm *frontMatter, end int, topics map[string]Topic) {
	probs := fm.probs
	at := func(key string) int {
		if l, ok := fm.lines[key]; ok {
			return l
		}
		return 1
	}
	slashed := filepath.ToSlash(a.Path)
	dir, file := path.Base(path.Dir(slashed)), path.Base(slashed)
	topic, known := topics[a.Topic]
	switch {
	case a.Topic == "":
		probs.add(at("topic"), "topic is missing")
	case !known:
		probs.add(at("topic"), "unknown topic %q (not in topics.yaml)", a.Topic)
	case dir != a.Topic:
		probs.add(at("topic"), "topic %q does not match the folder %q", a.Topic, dir)
	}
	switch {
	case a.Lang == "":
		probs.add(at("lang"), "lang is missing")
	case !IsLanguage(a.Lang):
		probs.add(at("lang"), "unknown lang %q (want one of %s)", a.Lang, strings.Join(languages[:], " "))
	case file != a.Lang+".md":
		probs.add(at("lang"), "lang %q does not match the file name %q", a.Lang, file)
	}
	for _, f := range []struct{ key, val string }{{"title", a.Title}, {"summary", a.Summary}} {
		if f.val == "" {
			probs.add(at(f.key), "%s is missing", f.key)
		}
	}
	if len(a.Questions) == 0 {
		probs.add(at("questions"), "questions: at least one question is needed")
	}
	if len(a.Sources) == 0 && (!known || topic.Facts != NoFacts) {
		probs.add(at("sources"), "sources: at least one source URL is needed")
	}
	for _, n := range fm.sources {
		if u, err := url.Parse(strings.TrimSpace(n.Value)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			probs.add(fm.line(n), "sources: %q is not an http(s) URL", n.Value)
		}
	}
	if fm.verified == "" {
		probs.add(at("verified"), "verified is missing (want a date YYYY-MM-DD)")
	} else if d, err := time.Parse(DateLayout, fm.verified); err != nil {
		probs.add(at("verified"), "verified: %q is not a date YYYY-MM-DD", fm.verified)
	} else {
		a.Verified = d
	}
	if a.Body == "" {
		probs.add(end+2, "body is missing (write the answer below the closing \"---\")")
	}
}
