package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"golang.org/x/text/language"

	"github.com/passerelle-org/passerelle/locales"
)

//go:embed templates/index.html
var pageFS embed.FS

var pageTmpl = template.Must(template.ParseFS(pageFS, "templates/index.html"))

// pageKeys are the simulator page's own words (locales keys sim.*).
var pageKeys = []string{"title", "render_as", "new", "new_title", "placeholder", "send", "note"}

// page serves the simulator in the tester's language: ?lang=xx when it
// names a language of the catalogue, else the browser's Accept-Language,
// else English. An outreach worker showing the bot to a Tigrinya speaker
// can open /?lang=ti.
func (c *Channel) page(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Lang, Dir string
		T         map[string]string
	}{Lang: "en", Dir: "ltr", T: map[string]string{}}
	if c.cat != nil {
		p := c.cat.Printer(pageLang(c.cat, r))
		data.Lang, data.Dir = p.Lang(), p.Dir()
		for _, k := range pageKeys {
			data.T[k] = p.T("sim."+k, nil)
		}
	}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, data); err != nil {
		c.log.Error("simulator page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// pageLang picks the page's language code (see page).
func pageLang(cat *locales.Catalog, r *http.Request) string {
	if l, ok := cat.Language(r.URL.Query().Get("lang")); ok {
		return l.Code
	}
	langs := cat.Languages()
	tags := make([]language.Tag, 0, len(langs))
	for _, l := range langs {
		tags = append(tags, language.Make(l.Code))
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		if want, _, err := language.ParseAcceptLanguage(al); err == nil && len(want) > 0 {
			if _, i, conf := language.NewMatcher(tags).Match(want...); conf != language.No {
				return langs[i].Code
			}
		}
	}
	return locales.SourceLang
}
