package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// serveReplica runs `passerelle serve` on dbURL until the test ends and
// returns its base URL.
func serveReplica(t *testing.T, dbURL, secret string) string {
	t.Helper()
	base, _, _ := startWith(t, map[string]string{"PASSERELLE_DATABASE_URL": dbURL, "PASSERELLE_SECRET_KEY": secret})
	return base
}

// waitListening waits until n connections LISTEN for the console events
// of dbURL's schema.
func waitListening(t *testing.T, dbURL string, n int) {
	t.Helper()
	u, _ := url.Parse(dbURL)
	listen := "LISTEN " + pgx.Identifier{"passerelle_console." + u.Query().Get("search_path")}.Sanitize()
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var got int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE query = $1`, listen).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d replicas listening for console events, want %d", got, n)
		}
	}
}

// TestConsoleLiveAcrossReplicas: two `passerelle serve` on one PostgreSQL.
// A caseworker logs in on A; the load balancer then sends their queue
// page to B. A person writes to A that they are in danger: B's event
// stream says the queue changed, and B's queue shows the urgent handoff.
func TestConsoleLiveAcrossReplicas(t *testing.T) {
	dbURL := pgSchema(t)
	secret := strings.Repeat("cd", 32)
	vars := map[string]string{"PASSERELLE_DATA_DIR": t.TempDir(), "PASSERELLE_DATABASE_URL": dbURL,
		"PASSERELLE_SECRET_KEY": secret}
	e, _, _ := testEnv(t, "a long enough password\n", vars)
	if err := run(context.Background(), []string{"caseworker", "add", "cw@example.org", "--name", "Camille",
		"--languages", "fr"}, e); err != nil {
		t.Fatal(err)
	}
	a, b := serveReplica(t, dbURL, secret), serveReplica(t, dbURL, secret)

	session := consoleLogin(t, a, "cw@example.org", "a long enough password")
	client := noRedirects()
	if session == nil {
		t.Fatal("no session cookie")
	}
	get := func(ctx context.Context, url string) *http.Response {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	sctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	stream := get(sctx, b+"/console/events")
	defer stream.Body.Close()
	if stream.StatusCode != http.StatusOK {
		t.Fatalf("B's event stream with A's session: %d", stream.StatusCode)
	}
	waitListening(t, dbURL, 2)

	body := fmt.Sprintf(`{"session":"replicas-0001","id":"1","text":%q,"surface":"telegram"}`,
		"Bonjour, je suis en danger, mon patron me menace")
	res, err := http.Post(a+"/sim/send", "application/json", strings.NewReader(body))
	if err != nil || res.StatusCode != http.StatusAccepted {
		t.Fatalf("the person writing to A: %v %v", res, err)
	}
	res.Body.Close()
	events, changed := bufio.NewScanner(stream.Body), false
	for !changed && events.Scan() {
		changed = events.Text() == "event: queue"
	}
	if !changed {
		t.Fatalf("B's event stream ended before a queue event: %v", events.Err())
	}
	page := get(t.Context(), b+"/console/")
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !regexp.MustCompile(`class="handoff urgent`).Match(html) {
		t.Errorf("B's queue does not show the urgent handoff opened on A:\n%s", html)
	}
}
