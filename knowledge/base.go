package knowledge

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Base is a loaded, validated knowledge base: the topic catalogue and the
// articles, at most one per topic and language. A Base is immutable and
// safe for concurrent use.
type Base struct {
	topics   []Topic
	byID     map[string]Topic
	articles map[string]*Article // key topic + "/" + lang
	ordered  []*Article          // catalogue order, then language menu order
}

// NewBase builds a Base from already parsed articles and the embedded
// catalogue; it is meant for tests and tools. Articles are not validated
// again; a duplicate topic and language is an error.
func NewBase(articles []*Article) (*Base, error) {
	topics, err := Topics()
	if err != nil {
		return nil, err
	}
	b := newBase(topics)
	for _, a := range articles {
		if _, dup := b.articles[key(a.Topic, a.Lang)]; dup {
			return nil, fmt.Errorf("building base: two articles for %s/%s", a.Topic, a.Lang)
		}
		b.articles[key(a.Topic, a.Lang)] = a
	}
	b.order()
	return b, nil
}

// Load reads every "<topic>/<lang>.md" file of fsys (other files are
// ignored) and validates it against the embedded topic catalogue.
//
// When some files have problems, Load returns a Base holding the valid
// articles together with a Problems error listing every problem, so that
// "kb check" can show both; a server should refuse to start on any error.
// Other errors (an unreadable file system) come with a nil Base.
func Load(fsys fs.FS) (*Base, error) {
	topics, err := Topics()
	if err != nil {
		return nil, err
	}
	paths, err := fs.Glob(fsys, "*/*.md")
	if err != nil {
		return nil, fmt.Errorf("listing articles: %w", err)
	}
	b := newBase(topics)
	var all Problems
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("reading article: %w", err)
		}
		a, err := parse(p, data, b.byID)
		var ps Problems
		switch {
		case errors.As(err, &ps):
			all = append(all, ps...)
		case err != nil:
			return nil, fmt.Errorf("parsing %s: %w", p, err)
		default:
			b.articles[key(a.Topic, a.Lang)] = a
		}
	}
	b.order()
	if len(all) > 0 {
		return b, all
	}
	return b, nil
}

func newBase(topics []Topic) *Base {
	return &Base{topics: topics, byID: topicIndex(topics), articles: map[string]*Article{}}
}

func key(topic, lang string) string { return topic + "/" + lang }

// order fills b.ordered: catalogue order, then language menu order.
func (b *Base) order() {
	b.ordered = b.ordered[:0]
	rank := make(map[string]int, len(b.topics))
	for i, t := range b.topics {
		rank[t.ID] = i
	}
	for _, a := range b.articles {
		b.ordered = append(b.ordered, a)
	}
	slices.SortFunc(b.ordered, func(x, y *Article) int {
		if c := rank[x.Topic] - rank[y.Topic]; c != 0 {
			return c
		}
		if c := slices.Index(languages[:], x.Lang) - slices.Index(languages[:], y.Lang); c != 0 {
			return c
		}
		return strings.Compare(x.Topic, y.Topic)
	})
}

// Article returns the article for topic in lang.
func (b *Base) Article(topic, lang string) (*Article, bool) {
	a, ok := b.articles[key(topic, lang)]
	return a, ok
}

// Topics returns the topic catalogue in file order (a copy).
func (b *Base) Topics() []Topic { return slices.Clone(b.topics) }

// Topic returns the catalogue entry with the given id.
func (b *Base) Topic(id string) (Topic, bool) {
	t, ok := b.byID[id]
	return t, ok
}

// Articles returns every article, in catalogue order then language menu
// order (a copy of the slice; the articles are shared and must not be
// modified).
func (b *Base) Articles() []*Article { return slices.Clone(b.ordered) }

// ArticlesIn returns the articles written in lang, in catalogue order.
func (b *Base) ArticlesIn(lang string) []*Article {
	var out []*Article
	for _, a := range b.ordered {
		if a.Lang == lang {
			out = append(out, a)
		}
	}
	return out
}
