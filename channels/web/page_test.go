package web

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPageInTheTestersLanguage: the simulator page's own words come from
// the catalogue, in the language asked for with ?lang=, else the browser's,
// else English, with the script's direction.
func TestPageInTheTestersLanguage(t *testing.T) {
	_, _, srv := newSim(t, echo)
	cat := catalog(t)
	for _, tc := range []struct{ query, acceptLang, want, dir string }{
		{"", "", "en", "ltr"},
		{"?lang=ti", "", "ti", "ltr"},
		{"", "ar-MA,ar;q=0.9,fr;q=0.5", "ar", "rtl"},
		{"?lang=fa", "fr", "fa", "rtl"},
		{"?lang=xx", "de", "en", "ltr"},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/"+tc.query, nil)
		if tc.acceptLang != "" {
			req.Header.Set("Accept-Language", tc.acceptLang)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := string(body)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", tc.query, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !strings.Contains(page, `<html lang="`+tc.want+`" dir="`+tc.dir+`">`) {
			t.Errorf("%q %q: want lang %s dir %s in:\n%.200s", tc.query, tc.acceptLang, tc.want, tc.dir, page)
		}
		p := cat.Printer(tc.want)
		for _, k := range pageKeys {
			if s := p.T("sim."+k, nil); !strings.Contains(page, s) {
				t.Errorf("%s: page lacks sim.%s %q", tc.want, k, s)
			}
		}
	}
}
