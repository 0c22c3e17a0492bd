package console

import (
	"net/http"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/locales"
)

// uiLangs are the languages of the console's own interface, the default
// first: the caseworkers work in France.
var uiLangs = []string{"fr", "en"}

var uiMatcher = language.NewMatcher([]language.Tag{language.French, language.English})

// uiLang chooses the interface language of a request: the first of French
// or English among the caseworker's account languages; failing that (a
// Tigrinya-only account, or the login page) the browser's Accept-Language
// when it prefers French or English; failing that French.
func uiLang(cw bot.Caseworker, r *http.Request) string {
	for _, l := range cw.Languages {
		if l = strings.ToLower(strings.TrimSpace(l)); slices.Contains(uiLangs, l) {
			return l
		}
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			if _, i, conf := uiMatcher.Match(tags...); conf != language.No {
				return uiLangs[i]
			}
		}
	}
	return uiLangs[0]
}

// printer returns a Printer for this request's caseworker, made afresh for
// each request: a shared one would show one caseworker another's language.
func (c *Console) printer(r *http.Request) *locales.Printer {
	return c.locales.Printer(uiLang(caseworker(r), r))
}

// page is what every page template needs: the request's Printer, the
// logged-in caseworker (zero on the login page) and the page title.
type page struct {
	P     *locales.Printer
	Me    bot.Caseworker
	Title string
}

func (c *Console) page(r *http.Request, titleKey string) page {
	p := c.printer(r)
	return page{P: p, Me: caseworker(r), Title: p.T(titleKey, nil)}
}

// translate is the template function t: {{t .P "console.queue.held_by" "Name" .Name}}.
func translate(p *locales.Printer, key string, kv ...any) string {
	var data map[string]any
	if len(kv) > 1 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				data[k] = kv[i+1]
			}
		}
	}
	return p.T(key, data)
}

// rowsData is what the queue's "rows" template gets.
type rowsData struct {
	P     *locales.Printer
	Items []bot.QueueItem
}
