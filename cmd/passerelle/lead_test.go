package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
)

// pgSchema creates an empty schema in PASSERELLE_TEST_DATABASE_URL's
// database, dropped when the test ends, and returns a URL whose
// search_path is that schema; without the variable the test is skipped.
func pgSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("PASSERELLE_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("PASSERELLE_TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "ptest_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// replica is one `passerelle serve` on the shared database, reaching the
// fake Bot API through its own proxy, which counts its getUpdates calls.
type replica struct {
	name  string
	polls atomic.Int64
	stop  func()
}

// TestTelegramPollingOneReplicaAtATime: two replicas on one PostgreSQL in
// long-polling mode: only the one holding the advisory lock polls; when it
// stops, the other takes over and answers what comes next.
func TestTelegramPollingOneReplicaAtATime(t *testing.T) {
	dbURL := pgSchema(t)
	api := telegramtest.NewServer(t, tgToken)
	target, _ := url.Parse(api.URL)
	secret := strings.Repeat("ab", 32)
	start := func(name string) *replica {
		r := &replica{name: name}
		proxy := httputil.NewSingleHostReverseProxy(target)
		proxy.ErrorLog = log.New(io.Discard, "", 0) // cancelled long polls
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if strings.HasSuffix(req.URL.Path, "/getUpdates") {
				r.polls.Add(1)
			}
			proxy.ServeHTTP(w, req)
		}))
		t.Cleanup(srv.Close)
		cfg, err := loadConfig("", env(map[string]string{
			"PASSERELLE_DATA_DIR": t.TempDir(), "PASSERELLE_ADDR": "127.0.0.1:0",
			"PASSERELLE_DATABASE_URL": dbURL, "PASSERELLE_SECRET_KEY": secret,
			"PASSERELLE_TELEGRAM_TOKEN": tgToken, "PASSERELLE_TELEGRAM_API_URL": srv.URL,
		}))
		if err != nil {
			t.Fatal(err)
		}
		logs := &lockedBuffer{}
		m := &Main{Config: cfg, Log: newLogger(logs, "info"), LeadEvery: 50 * time.Millisecond}
		ctx, cancel := context.WithCancel(context.Background())
		if err := m.Open(ctx); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		var stopped atomic.Bool
		r.stop = func() {
			if stopped.Swap(true) {
				return
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s: Run: %v", name, err)
			}
			m.Close()
			if strings.Contains(logs.String(), tgToken) {
				t.Errorf("%s: the logs hold the bot token", name)
			}
		}
		t.Cleanup(r.stop)
		return r
	}
	a, b := start("a"), start("b")
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (polls: a %d, b %d)", what, a.polls.Load(), b.polls.Load())
			}
		}
	}
	wait("a replica to poll", func() bool { return a.polls.Load()+b.polls.Load() > 0 })
	lead, other := a, b
	if b.polls.Load() > 0 {
		lead, other = b, a
	}
	replied := func(chat int64) func() bool {
		return func() bool {
			if api.Pending() > 0 {
				return false
			}
			for _, c := range api.CallsOf("sendMessage") {
				if c.Params["chat_id"] == fmt.Sprint(chat) {
					return true
				}
			}
			return false
		}
	}
	api.PushUpdate(telegramtest.TextUpdate(710000001, "fr", "bonjour"))
	wait("a reply from the leader", replied(710000001))
	time.Sleep(300 * time.Millisecond) // many lock attempts by the other
	if n := other.polls.Load(); n != 0 {
		t.Fatalf("%s polled %d times while %s held the lock", other.name, n, lead.name)
	}
	lead.stop()
	wait(other.name+" to take over", func() bool { return other.polls.Load() > 0 })
	api.PushUpdate(telegramtest.TextUpdate(710000002, "fr", "bonjour"))
	wait("a reply after the takeover", replied(710000002))
}
