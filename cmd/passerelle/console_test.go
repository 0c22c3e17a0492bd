package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/console"
	"github.com/passerelle-org/passerelle/locales"
)

func TestCaseworkerAdd(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"PASSERELLE_DATA_DIR": dir}
	e, out, _ := testEnv(t, "a long enough password\n", vars)
	if err := run(context.Background(), []string{"caseworker", "add", "amanuel@example.org", "--name", "Amanuel",
		"--languages", "ti,am", "--role", "admin"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "created admin amanuel@example.org") || strings.Contains(out.String(), "a long enough") {
		t.Errorf("output %q", out)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"a long enough password\n", []string{"amanuel@example.org", "--name", "X"}, "conflict"},
		{"short\n", []string{"b@example.org", "--name", "B"}, "too short"},
		{"a long enough password\n", []string{"b@example.org", "--name", "B", "--languages", "xx"}, "unknown language"},
		{"a long enough password\n", []string{"b@example.org"}, "--name"},
		{"a long enough password\n", []string{"b@example.org", "--name", "B", "--role", "boss"}, "--role"},
		{"", []string{"b@example.org", "--name", "B"}, "no password"},
	} {
		e, _, _ := testEnv(t, tc.stdin, vars)
		err := run(context.Background(), append([]string{"caseworker", "add"}, tc.args...), e)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("caseworker add %v: %v, want an error about %q", tc.args, err, tc.want)
		}
	}
	e, out, _ = testEnv(t, "", vars)
	if err := run(context.Background(), []string{"caseworker", "add", "c@example.org", "--name", "C", "--generate"}, e); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password \(shown once\): (\S+)`).FindStringSubmatch(out.String())
	if m == nil || len(m[1]) < console.MinPasswordLen {
		t.Errorf("--generate output %q", out)
	}
}

// TestConsoleEndToEnd is the whole path by hand: a person in the simulator
// says they are in danger, a caseworker created with `caseworker add` logs
// in, claims, replies and closes; the person receives the reply and the
// closing message in French, then the bot answers again.
func TestConsoleEndToEnd(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"PASSERELLE_DATA_DIR": dir, "PASSERELLE_ADDR": "127.0.0.1:0"}
	e, _, _ := testEnv(t, "a long enough password\n", vars)
	if err := run(context.Background(), []string{"caseworker", "add", "cw@example.org", "--name", "Camille",
		"--languages", "fr"}, e); err != nil {
		t.Fatal(err)
	}
	base, _, _ := startWith(t, vars)

	// The person.
	session := "e2e-console-0001"
	sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer scancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", base+"/sim/events?session="+session, nil)
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	events := bufio.NewScanner(stream.Body)
	say := func(id, text string) {
		body := fmt.Sprintf(`{"session":%q,"id":%q,"text":%q,"surface":"telegram"}`, session, id, text)
		res, err := http.Post(base+"/sim/send", "application/json", strings.NewReader(body))
		if err != nil || res.StatusCode != http.StatusAccepted {
			t.Fatalf("send: %v %v", res, err)
		}
		res.Body.Close()
	}
	waitFor := func(want string) []string {
		var seen []string
		for events.Scan() {
			line := events.Text()
			if !strings.HasPrefix(line, "data: ") {
				continue
			}
			var ev map[string]any
			if err := json.Unmarshal([]byte(line[6:]), &ev); err != nil {
				t.Fatal(err)
			}
			text, _ := ev["text"].(string)
			seen = append(seen, text)
			if strings.Contains(text, want) {
				return seen
			}
		}
		t.Fatalf("stream ended before %q; saw %q", want, seen)
		return nil
	}
	cat, _ := locales.Load()
	fr := cat.Printer("fr")
	say("1", "Bonjour, je suis en danger, mon patron me menace")
	waitFor(fr.T("triage.urgent_handoff", nil)[:20])

	// The caseworker.
	cookie := consoleLogin(t, base, "cw@example.org", "a long enough password")
	client := noRedirects()
	if cookie == nil || !cookie.Secure {
		t.Fatalf("session cookie %+v: want Secure by default", cookie)
	}
	do := func(method, path string, form url.Values) (int, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, page := do("GET", "/console/", nil)
	id := regexp.MustCompile(`data-id="(\d+)"`).FindStringSubmatch(page)
	if code != 200 || id == nil || !strings.Contains(page, "URGENT") {
		t.Fatalf("queue: %d\n%s", code, page)
	}
	h := "/console/handoffs/" + id[1]
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{h + "/claim", nil},
		{h + "/reply", url.Values{"text": {"Bonjour, je suis Camille. Où êtes-vous ?"}}},
		{h + "/close", nil},
	} {
		if code, body := do("POST", step.path, step.form); code != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", step.path, code, body)
		}
	}
	waitFor("je suis Camille")
	waitFor(fr.T("handoff.closed", nil))

	// The bot answers again.
	say("2", "Comment demander l'aide au retour à l'OFII ?")
	waitFor("OFII")
}

func TestInvalidCaseworkerHoursStopTheStart(t *testing.T) {
	for key, val := range map[string]string{
		"PASSERELLE_CASEWORKER_HOURS":    "weekdays 9-5",
		"PASSERELLE_CASEWORKER_TIMEZONE": "Mars/Olympus",
	} {
		e, _, _ := testEnv(t, "", map[string]string{key: val})
		err := run(context.Background(), []string{"serve"}, e)
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%q: %v, want an error naming the key", key, val, err)
		}
	}
}

// fakeSender records what it is asked to send.
type fakeSender struct{ sent chan bot.Outbound }

func (f fakeSender) Send(ctx context.Context, o bot.Outbound) (string, error) {
	f.sent <- o
	return "1", nil
}

// TestCaseworkerGroupAlert: a new handoff reaches the caseworkers' group
// with priority, language and link, and no personal data.
func TestCaseworkerGroupAlert(t *testing.T) {
	vars := map[string]string{"PASSERELLE_DATA_DIR": t.TempDir(), "PASSERELLE_PUBLIC_URL": "https://passerelle.example.org",
		"PASSERELLE_CASEWORKER_TELEGRAM_CHAT": "-1001234567890"}
	cfg, err := loadConfig("", env(vars))
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: newLogger(io.Discard, "info")}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fake := fakeSender{sent: make(chan bot.Outbound, 1)}
	prev := m.Engine.OnHandoff
	m.Engine.OnHandoff = func(h bot.Handoff) { prev(h); go m.alertGroup(m.console, fake, h) }
	const phone = "+33639980001"
	err = m.Engine.Handle(context.Background(), bot.Inbound{Channel: bot.ChannelSMS, Address: phone, ProviderID: "a1",
		Text: "je suis en danger, mon patron me menace"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-fake.sent:
		if o.Address != "-1001234567890" || !strings.Contains(o.Text, "URGENT") || !strings.Contains(o.Text, "(fr)") ||
			!strings.Contains(o.Text, "https://passerelle.example.org/console/handoffs/") {
			t.Errorf("alert %+v", o)
		}
		if strings.Contains(o.Text, "39980001") || strings.Contains(o.Text, "patron") {
			t.Errorf("alert holds personal data: %q", o.Text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no alert")
	}
}

// consoleLogin logs in to the console at base and returns the session
// cookie (nil when none was set).
func consoleLogin(t *testing.T, base, email, password string) *http.Cookie {
	t.Helper()
	res, err := noRedirects().PostForm(base+"/console/login", url.Values{"email": {email}, "password": {password}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on %s: %v %v", base, res, err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == console.CookieName {
			return c
		}
	}
	return nil
}

// noRedirects is a client that shows redirects instead of following them.
func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
