package console

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/sqlite"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
	"github.com/passerelle-org/passerelle/locales"
)

const (
	testPassword = "correct horse battery"
	tiPhone      = "+33612345678"
	tiText       = "ሰላም፣ ኣብ ሓደጋ ኣለኹ <script>alert(1)</script>"
)

var (
	loadOnce sync.Once
	catalog  *locales.Catalog
	kb       *knowledge.Base
	loadErr  error
)

type env struct {
	t       testing.TB
	store   *sqlite.Store
	console *Console
	srv     *httptest.Server
	woken   int
}

// loadContent loads the catalog and the knowledge base, once.
func loadContent(t testing.TB) {
	t.Helper()
	loadOnce.Do(func() {
		if catalog, loadErr = locales.Load(); loadErr != nil {
			return
		}
		kb, loadErr = knowledge.Load(articles.FS)
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
}

// newEnv starts a console on a fresh SQLite store, over plain HTTP.
func newEnv(t testing.TB) *env {
	t.Helper()
	loadContent(t)
	keys, err := bot.NewKeyring([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"), keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{t: t, store: s}
	e.console, err = New(Options{Store: s, Locales: catalog, Articles: kb, Insecure: true,
		Delivered: func() { e.woken++ }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.console.Routes(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	t.Cleanup(e.console.Close)
	return e
}

// account creates a caseworker with testPassword.
func (e *env) account(email, role string, langs ...string) bot.Caseworker {
	e.t.Helper()
	hash, err := HashPassword(testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	cw, err := e.store.CreateCaseworker(e.t.Context(), bot.Caseworker{Email: email, Name: strings.Split(email, "@")[0],
		Languages: langs, Role: role, PasswordHash: hash})
	if err != nil {
		e.t.Fatal(err)
	}
	return cw
}

// handoff records a message from a person and opens a handoff for it.
func (e *env) handoff(ch bot.Channel, addr, lang, text string, urgent bool, at time.Time) bot.Handoff {
	e.t.Helper()
	var h bot.Handoff
	err := e.store.InTx(e.t.Context(), func(tx bot.Tx) error {
		_, conv, err := tx.RecordInbound(context.Background(), bot.Inbound{Channel: ch, Address: addr,
			ProviderID: addr + text, Text: text, ReceivedAt: at})
		if err != nil {
			return err
		}
		conv.Lang, conv.Surface = lang, bot.SurfaceTelegram
		if err := tx.SaveConversation(context.Background(), conv); err != nil {
			return err
		}
		h, err = tx.CreateHandoff(context.Background(), bot.Handoff{ConversationID: conv.ID, Urgent: urgent,
			Reason: "triage", Summary: "lang=" + lang + " · channel=" + string(ch), CreatedAt: at})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// client is a browser-like HTTP client with its own cookie jar that does
// not follow redirects.
func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login logs c in and fails the test when it does not work.
func (e *env) login(c *http.Client, email string) {
	e.t.Helper()
	resp := e.post(c, "/console/login", url.Values{"email": {email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", email, resp.StatusCode)
	}
}

func (e *env) post(c *http.Client, path string, form url.Values) *http.Response {
	e.t.Helper()
	resp, err := c.PostForm(e.srv.URL+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (e *env) get(c *http.Client, path string) (int, string) {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
