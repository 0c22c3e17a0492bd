package console

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

func TestNoPageWithoutSession(t *testing.T) {
	e := newEnv(t)
	h := e.handoff(bot.ChannelTelegram, "1001", "ti", tiText, true, time.Now())
	c := e.client()
	for _, p := range []string{"/console/", fmt.Sprintf("/console/handoffs/%d", h.ID), "/console/audit"} {
		if code, body := e.get(c, p); code != http.StatusSeeOther || strings.Contains(body, "ሰላም") {
			t.Errorf("GET %s without session: %d", p, code)
		}
	}
	if code, _ := e.get(c, "/console/events"); code != http.StatusUnauthorized {
		t.Errorf("GET /console/events without session: %d, want 401", code)
	}
	for _, a := range []string{"claim", "close", "reply", "reveal", "note"} {
		if r := e.post(c, fmt.Sprintf("/console/handoffs/%d/%s", h.ID, a), url.Values{"text": {"x"}}); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s without session: %d, want 401", a, r.StatusCode)
		}
	}
	// A forged cookie is no session.
	u, _ := url.Parse(e.srv.URL + "/console/")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: CookieName, Value: "forged", Path: "/console/"}})
	if code, _ := e.get(c, "/console/"); code != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", code)
	}
}

func TestLoginCookieAndLogout(t *testing.T) {
	e := newEnv(t)
	e.account("amanuel@example.org", bot.RoleCaseworker, "ti")
	c := e.client()
	resp, err := c.PostForm(e.srv.URL+"/console/login", url.Values{"email": {"Amanuel@Example.org"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == CookieName {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", ck)
	}
	if code, _ := e.get(c, "/console/"); code != http.StatusOK {
		t.Fatalf("queue after login: %d", code)
	}
	e.post(c, "/console/logout", nil)
	if code, _ := e.get(c, "/console/"); code != http.StatusSeeOther {
		t.Errorf("queue after logout: %d", code)
	}
	// The old token is dead even if replayed.
	c2 := e.client()
	u, _ := url.Parse(e.srv.URL + "/console/")
	c2.Jar.SetCookies(u, []*http.Cookie{{Name: CookieName, Value: ck.Value, Path: "/console/"}})
	if code, _ := e.get(c2, "/console/"); code != http.StatusSeeOther {
		t.Errorf("replayed token after logout: %d", code)
	}
}

func TestSecureCookie(t *testing.T) {
	e := newEnv(t)
	e.console.insecure = false
	e.account("a@example.org", bot.RoleCaseworker)
	resp, err := e.client().PostForm(e.srv.URL+"/console/login", url.Values{"email": {"a@example.org"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cs := resp.Cookies(); len(cs) != 1 || !cs[0].Secure || !cs[0].HttpOnly {
		t.Errorf("cookies %+v: want one Secure HttpOnly", cs)
	}
}

func TestWrongPasswordsRateLimited(t *testing.T) {
	e := newEnv(t)
	e.account("a@example.org", bot.RoleCaseworker)
	c := e.client()
	for i := range 5 {
		r := e.post(c, "/console/login", url.Values{"email": {"a@example.org"}, "password": {"wrong password " + fmt.Sprint(i)}})
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, r.StatusCode)
		}
	}
	// Even the right password is refused now.
	if r := e.post(c, "/console/login", url.Values{"email": {"a@example.org"}, "password": {testPassword}}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after 5 failures: %d, want 429", r.StatusCode)
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	e := newEnv(t)
	e.account("a@example.org", bot.RoleCaseworker, "ti")
	h := e.handoff(bot.ChannelTelegram, "1001", "ti", "hello", false, time.Now())
	c := e.client()
	e.login(c, "a@example.org")
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/console/handoffs/%d/claim", e.srv.URL, h.ID), nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	if got, _ := e.store.HandoffByID(t.Context(), h.ID); got.Status != bot.HandoffWaiting {
		t.Errorf("cross-site POST changed the handoff: %s", got.Status)
	}
}

func TestCaseworkerCannotReadAudit(t *testing.T) {
	e := newEnv(t)
	e.account("cw@example.org", bot.RoleCaseworker)
	e.account("admin@example.org", bot.RoleAdmin)
	c := e.client()
	e.login(c, "cw@example.org")
	if code, _ := e.get(c, "/console/audit"); code != http.StatusForbidden {
		t.Errorf("caseworker GET /console/audit: %d, want 403", code)
	}
	a := e.client()
	e.login(a, "admin@example.org")
	if code, body := e.get(a, "/console/audit"); code != http.StatusOK || !strings.Contains(body, "cw@example.org") {
		t.Errorf("admin GET /console/audit: %d", code)
	}
}

func TestQueueOrderAndLanguages(t *testing.T) {
	e := newEnv(t)
	e.account("ti@example.org", bot.RoleCaseworker, "ti")
	t0 := time.Now().Add(-time.Hour)
	ar := e.handoff(bot.ChannelSMS, "+33600000001", "ar", "مرحبا", true, t0)
	tiOld := e.handoff(bot.ChannelTelegram, "1001", "ti", "ሰላም", false, t0.Add(time.Minute))
	tiUrgent := e.handoff(bot.ChannelTelegram, "1002", "ti", "ሓደጋ", true, t0.Add(2*time.Minute))
	c := e.client()
	e.login(c, "ti@example.org")
	_, body := e.get(c, "/console/")
	pos := func(id int64) int { return strings.Index(body, fmt.Sprintf(`data-id="%d"`, id)) }
	if !(pos(tiUrgent.ID) >= 0 && pos(tiUrgent.ID) < pos(tiOld.ID) && pos(tiOld.ID) < pos(ar.ID)) {
		t.Errorf("queue order: urgent ti %d, ti %d, ar %d", pos(tiUrgent.ID), pos(tiOld.ID), pos(ar.ID))
	}
}

func TestTranscriptEscapedAddressRevealedAndLogged(t *testing.T) {
	e := newEnv(t)
	me := e.account("a@example.org", bot.RoleCaseworker, "ti")
	h := e.handoff(bot.ChannelSMS, tiPhone, "ti", tiText, true, time.Now())
	c := e.client()
	e.login(c, "a@example.org")
	e.post(c, fmt.Sprintf("/console/handoffs/%d/claim", h.ID), nil)
	page := fmt.Sprintf("/console/handoffs/%d", h.ID)
	_, body := e.get(c, page)
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("migrant text not escaped")
	}
	if !strings.Contains(body, `dir="auto">ሰላም`) {
		t.Error("transcript not in its script with dir=auto")
	}
	for _, q := range []string{"/console/", page} {
		if _, b := e.get(c, q); strings.Contains(b, tiPhone) || strings.Contains(b, "612345678") {
			t.Errorf("%s shows the phone number before a reveal", q)
		}
	}
	resp, err := c.PostForm(e.srv.URL+page+"/reveal", nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := new(strings.Builder)
	_, _ = fmt.Fprint(buf, readAll(resp))
	if !strings.Contains(buf.String(), "33612345678") {
		t.Error("reveal does not show the number")
	}
	log, err := e.store.AuditLog(t.Context(), 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range log {
		if a.Action == "reveal" && a.CaseworkerID == me.ID && a.ConversationID == h.ConversationID {
			found = true
		}
		if strings.Contains(a.Detail, tiPhone) {
			t.Error("audit detail holds the number")
		}
	}
	if !found {
		t.Errorf("reveal not in the audit log: %+v", log)
	}
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func TestTwoClaimsOneWins(t *testing.T) {
	e := newEnv(t)
	e.account("a@example.org", bot.RoleCaseworker)
	e.account("b@example.org", bot.RoleCaseworker)
	for round := range 5 {
		h := e.handoff(bot.ChannelTelegram, fmt.Sprint(2000+round), "ti", "ሰላም", false, time.Now())
		ca, cb := e.client(), e.client()
		e.login(ca, "a@example.org")
		e.login(cb, "b@example.org")
		codes := make([]int, 2)
		var wg sync.WaitGroup
		for i, c := range []*http.Client{ca, cb} {
			wg.Go(func() {
				codes[i] = e.post(c, fmt.Sprintf("/console/handoffs/%d/claim", h.ID), nil).StatusCode
			})
		}
		wg.Wait()
		won := 0
		for _, code := range codes {
			switch code {
			case http.StatusSeeOther:
				won++
			case http.StatusConflict:
			default:
				t.Errorf("claim: status %d", code)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d claims won (%v), want exactly 1", round, won, codes)
		}
	}
}

func TestReplyArticleCloseHandsBack(t *testing.T) {
	e := newEnv(t)
	e.account("a@example.org", bot.RoleCaseworker, "ti")
	e.account("b@example.org", bot.RoleCaseworker, "ti")
	h := e.handoff(bot.ChannelTelegram, "1001", "ti", "ሰላም", true, time.Now())
	a, b := e.client(), e.client()
	e.login(a, "a@example.org")
	e.login(b, "b@example.org")
	base := fmt.Sprintf("/console/handoffs/%d", h.ID)
	// Nobody replies before claiming.
	if r := e.post(a, base+"/reply", url.Values{"text": {"hello"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("reply before claim: %d", r.StatusCode)
	}
	e.post(a, base+"/claim", nil)
	// Another caseworker cannot reply or close.
	if r := e.post(b, base+"/reply", url.Values{"text": {"hello"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("reply by another caseworker: %d", r.StatusCode)
	}
	topic := kb.ArticlesIn("ti")[0].Topic
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{base + "/article", url.Values{"topic": {topic}}},
		{base + "/reply", url.Values{"text": {"ሰላም, I am Amanuel"}}},
		{base + "/note", url.Values{"text": {"call back Monday"}}},
		{base + "/close", nil},
	} {
		if r := e.post(a, step.path, step.form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", step.path, r.StatusCode)
		}
	}
	out, err := e.store.Outbox(t.Context(), h.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	art, _ := kb.Article(topic, "ti")
	closed := catalog.Printer("ti").T("handoff.closed", nil)
	want := []string{art.Title + "\n\n" + art.Summary, "ሰላም, I am Amanuel", closed}
	if len(out) != len(want) {
		t.Fatalf("outbox has %d messages, want %d", len(out), len(want))
	}
	for i, o := range out {
		if o.Text != want[i] || o.Lang != "ti" || o.Channel != bot.ChannelTelegram {
			t.Errorf("outbox[%d] = %q (%s), want %q", i, o.Text, o.Lang, want[i])
		}
	}
	if e.woken == 0 {
		t.Error("the worker was never woken")
	}
	err = e.store.InTx(t.Context(), func(tx bot.Tx) error {
		_, err := tx.OpenHandoff(t.Context(), h.ConversationID)
		return err
	})
	if err == nil {
		t.Error("handoff still open after close")
	}
	tr, _ := e.store.Transcript(t.Context(), h.ConversationID)
	if n := len(tr); n != 4 || tr[2].Direction != bot.FromCaseworker || tr[3].Direction != bot.FromBot {
		t.Errorf("transcript %+v", tr)
	}
	notes, _ := e.store.Notes(t.Context(), h.ConversationID)
	if len(notes) != 1 || notes[0].Author != "a" {
		t.Errorf("notes %+v", notes)
	}
	// Nothing more after the close.
	if r := e.post(a, base+"/reply", url.Values{"text": {"late"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("reply after close: %d", r.StatusCode)
	}
}

func TestQueuePagesReachEveryHandoff(t *testing.T) {
	e := newEnv(t)
	e.account("a@example.org", bot.RoleCaseworker, "ti")
	t0 := time.Now().Add(-time.Hour)
	var ids []int64
	for i := range PageSize + 30 {
		lang := []string{"ti", "ar"}[i%2]
		ids = append(ids, e.handoff(bot.ChannelTelegram, fmt.Sprint(5000+i), lang, "x", false, t0.Add(time.Duration(i)*time.Second)).ID)
	}
	c := e.client()
	e.login(c, "a@example.org")
	var all string
	for p := 1; p <= 2; p++ {
		_, body := e.get(c, fmt.Sprintf("/console/?page=%d", p))
		all += body
	}
	for _, id := range ids {
		if strings.Count(all, fmt.Sprintf(`data-id="%d"`, id)) != 1 {
			t.Errorf("handoff %d not shown exactly once over the pages", id)
		}
	}
}

func TestTransfer(t *testing.T) {
	e := newEnv(t)
	e.account("a@example.org", bot.RoleCaseworker, "ti")
	b := e.account("b@example.org", bot.RoleCaseworker, "ti")
	h := e.handoff(bot.ChannelTelegram, "1001", "ti", "ሰላም", false, time.Now())
	ca, cb := e.client(), e.client()
	e.login(ca, "a@example.org")
	e.login(cb, "b@example.org")
	base := fmt.Sprintf("/console/handoffs/%d", h.ID)
	e.post(ca, base+"/claim", nil)
	if r := e.post(cb, base+"/transfer", url.Values{"to": {fmt.Sprint(b.ID)}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("transfer by a non-holder: %d", r.StatusCode)
	}
	if r := e.post(ca, base+"/transfer", url.Values{"to": {fmt.Sprint(b.ID)}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("transfer: %d", r.StatusCode)
	}
	if got, _ := e.store.HandoffByID(t.Context(), h.ID); got.CaseworkerID != b.ID {
		t.Errorf("after transfer held by %d, want %d", got.CaseworkerID, b.ID)
	}
	if r := e.post(cb, base+"/reply", url.Values{"text": {"hello"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("reply by the new holder: %d", r.StatusCode)
	}
}

func TestAdminManagesAccounts(t *testing.T) {
	e := newEnv(t)
	cw := e.account("cw@example.org", bot.RoleCaseworker)
	e.account("admin@example.org", bot.RoleAdmin)
	c := e.client()
	e.login(c, "cw@example.org")
	if code, _ := e.get(c, "/console/accounts"); code != http.StatusForbidden {
		t.Errorf("caseworker GET /console/accounts: %d, want 403", code)
	}
	if r := e.post(c, "/console/accounts", url.Values{"email": {"x@example.org"}, "name": {"X"}, "role": {"admin"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker creates an account: %d, want 403", r.StatusCode)
	}
	a := e.client()
	e.login(a, "admin@example.org")
	resp, err := a.PostForm(e.srv.URL+"/console/accounts", url.Values{"email": {"new@example.org"}, "name": {"New"},
		"languages": {"ti,am"}, "role": {"caseworker"}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(resp)
	m := regexp.MustCompile(`id="new-password">([^<]+)<`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create account: %d\n%s", resp.StatusCode, body)
	}
	n := e.client()
	if r := e.post(n, "/console/login", url.Values{"email": {"new@example.org"}, "password": {m[1]}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("login with the generated password: %d", r.StatusCode)
	}
	// Disabling ends the session at once.
	if r := e.post(a, fmt.Sprintf("/console/accounts/%d/disable", cw.ID), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.StatusCode)
	}
	if code, _ := e.get(c, "/console/"); code != http.StatusSeeOther {
		t.Errorf("disabled caseworker still in: %d", code)
	}
	if r := e.post(c, "/console/login", url.Values{"email": {"cw@example.org"}, "password": {testPassword}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled caseworker logs in: %d", r.StatusCode)
	}
}
