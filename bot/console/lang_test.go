package console

import (
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
)

// TestEveryConsoleKeyExists fails when a template or handler names a
// console.* message key that en.yaml or fr.yaml lacks (the locales tests
// then check every other language has it too).
func TestEveryConsoleKeyExists(t *testing.T) {
	newEnv(t)
	key := regexp.MustCompile(`"(console\.[a-z_.]+[a-z_])"`)
	var used []string
	tmpls, _ := fs.Glob(templateFS, "templates/*.html")
	for _, name := range tmpls {
		buf, _ := fs.ReadFile(templateFS, name)
		for _, m := range key.FindAllStringSubmatch(string(buf), -1) {
			used = append(used, m[1])
		}
	}
	gos, _ := fs.Glob(os.DirFS("."), "*.go")
	for _, name := range gos {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		buf, _ := os.ReadFile(name)
		for _, m := range key.FindAllStringSubmatch(string(buf), -1) {
			used = append(used, m[1])
		}
	}
	// Keys built at run time.
	for _, s := range []bot.HandoffStatus{bot.HandoffWaiting, bot.HandoffAssigned, bot.HandoffClosed} {
		used = append(used, "console.status."+string(s))
	}
	used = append(used, "console.role."+bot.RoleCaseworker, "console.role."+bot.RoleAdmin)
	if len(used) < 50 {
		t.Fatalf("found only %d keys: is the pattern right?", len(used))
	}
	for _, k := range used {
		for _, lang := range uiLangs {
			if !catalog.HasKey(lang, k) {
				t.Errorf("%s.yaml lacks %s", lang, k)
			}
		}
	}
}

// TestInterfaceLanguage checks the choice of the interface language:
// French by default, the first of French or English in the account's
// languages, else the browser's Accept-Language.
func TestInterfaceLanguage(t *testing.T) {
	e := newEnv(t)
	e.account("ti@example.org", bot.RoleCaseworker, "ti")
	e.account("en@example.org", bot.RoleCaseworker, "ti", "en", "fr")
	e.account("fr@example.org", bot.RoleCaseworker, "fr", "en")
	fr, en := catalog.Printer("fr"), catalog.Printer("en")
	for _, tc := range []struct {
		email, accept string
		want          string
	}{
		{"ti@example.org", "", "fr"},
		{"ti@example.org", "en-GB,en;q=0.9", "en"},
		{"ti@example.org", "de-DE", "fr"},
		{"en@example.org", "fr-FR", "en"},
		{"fr@example.org", "en-US", "fr"},
	} {
		c := e.client()
		e.login(c, tc.email)
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/console/", nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Language", tc.accept)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		p := en
		if tc.want == "fr" {
			p = fr
		}
		title := html.EscapeString(p.T("console.queue.title", nil))
		if !strings.Contains(body, `<html lang="`+tc.want+`">`) || !strings.Contains(body, "<h1>"+title) {
			t.Errorf("%s with Accept-Language %q: want the queue in %s (%q)", tc.email, tc.accept, tc.want, title)
		}
		if !strings.Contains(body, html.EscapeString(p.T("console.live.queue_changed", nil))) {
			t.Errorf("%s: the live banner text is not given to the script in %s", tc.email, tc.want)
		}
	}
	// The login page, with no account yet, follows the browser, else French.
	_, body := e.get(e.client(), "/console/login")
	if !strings.Contains(body, html.EscapeString(fr.T("console.login.heading", nil))) {
		t.Error("login page not in French by default")
	}
	// Errors are translated too.
	c := e.client()
	e.login(c, "fr@example.org")
	code, body := e.get(c, "/console/handoffs/999999")
	if code != http.StatusNotFound || !strings.Contains(body, fr.T("console.error.not_found", nil)) {
		t.Errorf("not found: %d %q", code, body)
	}
}

// TestSMSReplySplitAtSentenceEnds checks that a caseworker's reply to an
// SMS contact is prepared as the bot's replies are and, over the segment
// budget, goes as several messages in order rather than one over-long one.
func TestSMSReplySplitAtSentenceEnds(t *testing.T) {
	e := newEnv(t)
	e.account("a@example.org", bot.RoleCaseworker, "fr")
	h := e.handoff(bot.ChannelSMS, tiPhone, "fr", "Bonjour", false, time.Now())
	err := e.store.InTx(t.Context(), func(tx bot.Tx) error {
		conv, _, err := e.store.ConversationByID(t.Context(), h.ConversationID)
		if err != nil {
			return err
		}
		conv.Surface = bot.SurfaceSMS
		return tx.SaveConversation(t.Context(), conv)
	})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	e.login(c, "a@example.org")
	base := fmt.Sprintf("/console/handoffs/%d", h.ID)
	e.post(c, base+"/claim", nil)
	short := "C’est noté, je vous rappelle demain."
	long := strings.TrimSpace(strings.Repeat("Votre rendez-vous à l’OFII est confirmé pour mardi matin, apportez votre passeport. ", 10))
	for _, text := range []string{short, long} {
		if r := e.post(c, base+"/reply", url.Values{"text": {text}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: %d", r.StatusCode)
		}
	}
	out, err := e.store.Outbox(t.Context(), h.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"C'est noté, je vous rappelle demain."}, bot.SplitSMS(long)...)
	if len(want) < 3 {
		t.Fatalf("the long reply should need several messages: %q", want)
	}
	if len(out) != len(want) {
		t.Fatalf("outbox has %d messages, want %d", len(out), len(want))
	}
	for i, o := range out {
		if o.Text != want[i] || o.Surface != bot.SurfaceSMS {
			t.Errorf("outbox[%d] = %q on %s, want %q", i, o.Text, o.Surface, want[i])
		}
		if n := channels.SMSSegments(o.Text); n > 3 {
			t.Errorf("outbox[%d] costs %d segments", i, n)
		}
		if !strings.HasSuffix(o.Text, ".") {
			t.Errorf("outbox[%d] not cut at a sentence end: %q", i, o.Text)
		}
	}
	tr, _ := e.store.Transcript(t.Context(), h.ConversationID)
	if n := len(tr); n != 1+len(want) {
		t.Errorf("transcript has %d messages, want the person's and %d sent", n, len(want))
	}
}
