package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/postgres"
)

// waitFor is how long a test waits for a live update before failing: a
// deadline, not a measurement.
const waitFor = 15 * time.Second

// replica is one `passerelle serve` on the shared PostgreSQL database: its
// own store handle, console and HTTP server.
type replica struct {
	name    string
	store   *postgres.Store
	console *Console
	srv     *httptest.Server
}

// pgSchema creates an empty schema in the PostgreSQL test database and
// returns the database URL, a URL using that schema, and the schema; the
// schema is dropped when the test ends. Without
// PASSERELLE_TEST_DATABASE_URL the test is skipped.
func pgSchema(t *testing.T) (base, schemaURL, schema string) {
	t.Helper()
	base = os.Getenv("PASSERELLE_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("PASSERELLE_TEST_DATABASE_URL is not set: console replica tests skipped")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema = "ctest_" + hex.EncodeToString(b)
	exec := func(sql string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Error(err)
		}
	}
	exec("CREATE SCHEMA " + schema)
	t.Cleanup(func() { exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return base, u.String(), schema
}

// newReplica opens a store on schemaURL and serves a console on it that
// shares live updates through PostgreSQL. Its connections carry
// application_name name, so a test can find its listening backend.
func newReplica(t *testing.T, schemaURL, name string) *replica {
	t.Helper()
	loadContent(t)
	keys, err := bot.NewKeyring([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(schemaURL)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(t.Context(), u.String(), keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	events, err := s.Events(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Store: s, Locales: catalog, Articles: kb, Insecure: true, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(c.Close) // before the server closes: ends the open streams
	return &replica{name: name, store: s, console: c, srv: srv}
}

// listenerPIDs returns the backends of the named replicas that LISTEN for
// console events, once each replica has one.
func listenerPIDs(t *testing.T, base, schema string, names ...string) []int32 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	listen := "LISTEN " + pgx.Identifier{"passerelle_console." + schema}.Sanitize()
	deadline := time.Now().Add(waitFor)
	for {
		rows, _ := conn.Query(t.Context(), `SELECT pid FROM pg_stat_activity
			WHERE query = $1 AND application_name = ANY($2)`, listen, names)
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			t.Fatal(err)
		}
		if len(pids) == len(names) {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("replicas %v: %d listening, want %d", names, len(pids), len(names))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// events opens the console's event stream as client c, as a page does,
// and returns the events it receives: "queue", "conversation:<id>".
func (r *replica) events(t *testing.T, c *http.Client) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", r.srv.URL+"/console/events", nil)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: GET /console/events: %d", r.name, res.StatusCode)
	}
	sc := bufio.NewScanner(res.Body)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "retry:") { // subscribed
		t.Fatalf("%s: event stream starts with %q", r.name, sc.Text())
	}
	out := make(chan string, 64)
	go func() {
		defer close(out)
		name := ""
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			} else if v, ok := strings.CutPrefix(line, "data: "); ok {
				var d struct{ ID int64 }
				json.Unmarshal([]byte(v), &d)
				if name == "conversation" {
					name = fmt.Sprintf("conversation:%d", d.ID)
				}
				out <- name
			}
		}
	}()
	return out
}

// expect waits for event on a stream, failing the test at the deadline.
func expect(t *testing.T, stream <-chan string, who, event string) {
	t.Helper()
	var seen []string
	timeout := time.After(waitFor)
	for {
		select {
		case ev, ok := <-stream:
			if !ok {
				t.Fatalf("%s: stream ended waiting for %q (saw %q)", who, event, seen)
			}
			if ev == event {
				return
			}
			seen = append(seen, ev)
		case <-timeout:
			t.Fatalf("%s: no %q within %s (saw %q)", who, event, waitFor, seen)
		}
	}
}

// page GETs path on the replica as client c.
func (r *replica) page(t *testing.T, c *http.Client, path string) (int, string) {
	t.Helper()
	return (&env{t: t, srv: r.srv}).get(c, path)
}

// openHandoff is what the engine does on replica r when a person asks for
// a caseworker: record the message, open the handoff, tell the console.
func (r *replica) openHandoff(t *testing.T, addr, lang, text string) bot.Handoff {
	t.Helper()
	var h bot.Handoff
	err := r.store.InTx(t.Context(), func(tx bot.Tx) error {
		_, conv, err := tx.RecordInbound(t.Context(), bot.Inbound{Channel: bot.ChannelTelegram, Address: addr,
			ProviderID: addr + "-1", Text: text, ReceivedAt: time.Now()})
		if err != nil {
			return err
		}
		conv.Lang, conv.Surface = lang, bot.SurfaceTelegram
		if err := tx.SaveConversation(t.Context(), conv); err != nil {
			return err
		}
		h, err = tx.CreateHandoff(t.Context(), bot.Handoff{ConversationID: conv.ID, Urgent: true,
			Reason: "triage", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.console.OnHandoff(h)
	return h
}

// inbound is a person's new message arriving on replica r.
func (r *replica) inbound(t *testing.T, addr, id, text string, conversation int64) {
	t.Helper()
	err := r.store.InTx(t.Context(), func(tx bot.Tx) error {
		_, _, err := tx.RecordInbound(t.Context(), bot.Inbound{Channel: bot.ChannelTelegram, Address: addr,
			ProviderID: id, Text: text, ReceivedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.console.OnInbound(conversation)
}

// login logs a caseworker in on r with a fresh client.
func (r *replica) login(t *testing.T, email string) *http.Client {
	t.Helper()
	e := &env{t: t, srv: r.srv}
	c := e.client()
	e.login(c, email)
	return c
}

// withSession is a fresh client carrying only the session cookie of c on
// from, as a browser does when the load balancer sends it elsewhere.
func withSession(t *testing.T, c *http.Client, from, to *replica) *http.Client {
	t.Helper()
	nc := (&env{t: t}).client()
	var ck *http.Cookie
	for _, k := range c.Jar.Cookies(mustURL(from.srv.URL + "/console/")) {
		if k.Name == CookieName {
			ck = k
		}
	}
	if ck == nil {
		t.Fatal("no session cookie")
	}
	nc.Jar.SetCookies(mustURL(to.srv.URL+"/console/"), []*http.Cookie{{Name: CookieName, Value: ck.Value, Path: "/console/"}})
	return nc
}

// caseworker creates a Tigrinya-speaking caseworker account with
// testPassword on the replica's database.
func (r *replica) caseworker(t *testing.T, email, name string) {
	t.Helper()
	hash, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.CreateCaseworker(t.Context(), bot.Caseworker{Email: email, Name: name,
		Languages: []string{"ti"}, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
}

func row(id int64) string { return fmt.Sprintf(`data-id="%d"`, id) }

// TestReplicasShareLiveUpdates: two replicas on one database. A caseworker
// logged in on A keeps their session on B; their queue open on B shows a
// handoff opened on A, their conversation page on B the person's new
// message arriving on A; and a claim on B reaches a colleague's queue on
// A. Logging out on B ends the session on A too.
func TestReplicasShareLiveUpdates(t *testing.T) {
	base, schemaURL, schema := pgSchema(t)
	a, b := newReplica(t, schemaURL, "replica-a"), newReplica(t, schemaURL, "replica-b")
	for _, email := range []string{"amanuel@example.org", "sara@example.org"} {
		a.caseworker(t, email, email[:4])
	}
	amanuelA := a.login(t, "amanuel@example.org")
	amanuelB := withSession(t, amanuelA, a, b)
	if code, _ := b.page(t, amanuelB, "/console/"); code != http.StatusOK {
		t.Fatalf("session from A on B: queue %d, want 200", code)
	}
	sara := a.login(t, "sara@example.org")
	onB, onA := b.events(t, amanuelB), a.events(t, sara)
	listenerPIDs(t, base, schema, a.name, b.name)

	h := a.openHandoff(t, "1001", "ti", tiText)
	expect(t, onB, "B after a handoff on A", "queue")
	if _, body := b.page(t, amanuelB, "/console/"); !strings.Contains(body, row(h.ID)) {
		t.Fatalf("B's queue does not show the handoff opened on A")
	}

	const more = "ሓደ ሕቶ ተወሳኺ ኣሎኒ"
	a.inbound(t, "1001", "1001-2", more, h.ConversationID)
	expect(t, onB, "B after a message on A", fmt.Sprintf("conversation:%d", h.ConversationID))
	if _, body := b.page(t, amanuelB, fmt.Sprintf("/console/handoffs/%d", h.ID)); !strings.Contains(body, more) {
		t.Errorf("B's conversation page does not show the message that arrived on A")
	}

	if r := (&env{t: t, srv: b.srv}).post(amanuelB, fmt.Sprintf("/console/handoffs/%d/claim", h.ID), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim on B: %d", r.StatusCode)
	}
	expect(t, onA, "A after a claim on B", "queue")
	held := regexp.MustCompile(`class="handoff [^"]*assigned" ` + row(h.ID))
	if _, body := a.page(t, sara, "/console/"); !held.MatchString(body) {
		t.Errorf("A's queue does not show the handoff claimed on B as held")
	}

	(&env{t: t, srv: b.srv}).post(amanuelB, "/console/logout", nil)
	if code, _ := a.page(t, amanuelA, "/console/"); code != http.StatusSeeOther {
		t.Errorf("after logging out on B, the session still works on A: %d", code)
	}
}

// TestReplicaListenerReconnects: when B's listening connection is killed,
// B connects again and refreshes its pages (events sent meanwhile are
// lost), and handoffs opened on A show on B again.
func TestReplicaListenerReconnects(t *testing.T) {
	base, schemaURL, schema := pgSchema(t)
	a, b := newReplica(t, schemaURL, "replica-a"), newReplica(t, schemaURL, "replica-b")
	a.caseworker(t, "amanuel@example.org", "Amanuel")
	c := b.login(t, "amanuel@example.org")
	onB := b.events(t, c)
	pids := listenerPIDs(t, base, schema, b.name)

	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, pids[0]); err != nil {
		t.Fatal(err)
	}
	// Nothing was published: these come from B reconnecting.
	expect(t, onB, "B's queue after reconnecting", "queue")
	expect(t, onB, "B's conversation pages after reconnecting", "conversation:0")

	h := a.openHandoff(t, "1001", "ti", tiText)
	expect(t, onB, "B after a handoff on A", "queue")
	if _, body := b.page(t, c, "/console/"); !strings.Contains(body, row(h.ID)) {
		t.Errorf("B's queue does not show the handoff opened on A after reconnecting")
	}
}

// TestReplicasShareLoginLimit: wrong passwords tried on two replicas count
// together, so spreading them over replicas buys no extra guesses.
func TestReplicasShareLoginLimit(t *testing.T) {
	_, schemaURL, _ := pgSchema(t)
	a, b := newReplica(t, schemaURL, "replica-a"), newReplica(t, schemaURL, "replica-b")
	a.caseworker(t, "sara@example.org", "Sara")
	for i := range 5 {
		r := []*replica{a, b}[i%2]
		e := &env{t: t, srv: r.srv}
		resp := e.post(e.client(), "/console/login", url.Values{"email": {"sara@example.org"}, "password": {fmt.Sprint("guess ", i)}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d on %s: %d, want 401", i, r.name, resp.StatusCode)
		}
	}
	for _, r := range []*replica{a, b} {
		e := &env{t: t, srv: r.srv}
		resp := e.post(e.client(), "/console/login", url.Values{"email": {"sara@example.org"}, "password": {testPassword}})
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("on %s after 5 guesses spread over both replicas: %d, want 429", r.name, resp.StatusCode)
		}
	}
	// Another caseworker from the same address is not locked out.
	a.caseworker(t, "amanuel@example.org", "Amanuel")
	b.login(t, "amanuel@example.org")
}
