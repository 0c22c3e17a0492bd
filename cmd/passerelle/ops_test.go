package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// scrape returns /metrics and the value of each series line.
func scrape(t *testing.T, base string) (string, map[string]float64) {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	values := map[string]float64{}
	line := regexp.MustCompile(`^([a-z_]+(?:\{[^}]*\})?) (\S+)$`)
	for _, l := range strings.Split(string(body), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not a Prometheus text line: %q", l)
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("value in %q: %v", l, err)
		}
		values[m[1]] = v
	}
	return string(body), values
}

func TestMetricsScrape(t *testing.T) {
	base, _ := startServer(t)
	body := `{"session":"metrics-session-01","id":"1","text":"Bonjour, comment demander l'aide au retour à l'OFII ?","surface":"telegram"}`
	res, err := http.Post(base+"/sim/send", "application/json", strings.NewReader(body))
	if err != nil || res.StatusCode != http.StatusAccepted {
		t.Fatalf("send: %v %v", res, err)
	}
	res.Body.Close()
	http.Get(base + "/no/such/page/42")
	var text string
	var v map[string]float64
	for i := 0; i < 200; i++ {
		text, v = scrape(t, base)
		if v[`passerelle_outbox_sent_total{channel="web"}`] > 0 && v["passerelle_outbox_queued"] == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{
		`passerelle_inbound_messages_total{channel="web"}`,
		`passerelle_replies_queued_total{channel="web"}`,
		`passerelle_answers_total{lang="fr"}`,
		`passerelle_outbox_sent_total{channel="web"}`,
		`passerelle_http_request_duration_seconds_count{route="POST /sim/send"}`,
		`passerelle_http_request_duration_seconds_count{route="unmatched"}`,
		`passerelle_retention_runs_total{result="ok"}`,
	} {
		if v[want] < 1 {
			t.Errorf("%s = %v, want >= 1\n%s", want, v[want], text)
		}
	}
	if got := v[`passerelle_inbound_messages_total{channel="web"}`]; got != 1 {
		t.Errorf("inbound = %v, want 1", got)
	}
	if _, ok := v["passerelle_outbox_oldest_age_seconds"]; !ok {
		t.Errorf("no outbox age gauge:\n%s", text)
	}
	for _, leak := range []string{"OFII", "metrics-session", "/no/such"} {
		if strings.Contains(text, leak) {
			t.Errorf("metrics carry %q:\n%s", leak, text)
		}
	}
}

// fakeClock is a settable clock.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// lockedBuffer is a log sink safe for the goroutines of Run.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRetentionJob(t *testing.T) {
	cfg, err := loadConfig("", env(map[string]string{"PASSERELLE_DATA_DIR": t.TempDir(),
		"PASSERELLE_ADDR": "127.0.0.1:0", "PASSERELLE_RETENTION_DAYS": "7"}))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{}
	clock.set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	logs := &lockedBuffer{}
	m := &Main{Config: cfg, Log: newLogger(logs, "info"), Clock: clock.now, RetentionEvery: 20 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	in := bot.Inbound{Channel: bot.ChannelWeb, Address: "retention-person", ProviderID: "r1", Text: "Bonjour, comment demander l'aide au retour à l'OFII ?"}
	if err := m.Engine.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	for k, err := m.Worker.Drain(ctx); k > 0 || err != nil; k, err = m.Worker.Drain(ctx) {
		if err != nil {
			t.Fatal(err)
		}
	}
	var convID int64
	if err := m.Store.InTx(ctx, func(tx bot.Tx) error {
		_, conv, err := tx.EnsureContact(ctx, bot.ChannelWeb, "retention-person")
		convID = conv.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	msgs, err := m.Store.Transcript(ctx, convID)
	if err != nil || len(msgs) < 2 {
		t.Fatalf("transcript before: %d messages, %v", len(msgs), err)
	}
	done := make(chan struct{})
	go func() { m.runRetention(ctx); close(done) }()
	// Within the retention period the runs delete nothing.
	waitFor(t, func() bool { return m.metrics.purgeRuns.Value("ok") >= 2 })
	if msgs, _ := m.Store.Transcript(ctx, convID); len(msgs) < 2 || m.metrics.purged.Value() != 0 {
		t.Fatalf("within retention: %d messages left, %v rows purged", len(msgs), m.metrics.purged.Value())
	}
	clock.add(8 * 24 * time.Hour)
	waitFor(t, func() bool { return m.metrics.purged.Value() > 0 })
	cancel()
	<-done
	if msgs, err := m.Store.Transcript(context.Background(), convID); err == nil && len(msgs) != 0 {
		t.Fatalf("after retention: %d messages left", len(msgs))
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"retention purge done"`) || !strings.Contains(out, `"rows":`) {
		t.Fatalf("no count logged:\n%s", out)
	}
	if strings.Contains(out, "OFII") || strings.Contains(out, "retention-person") {
		t.Fatalf("retention logs carry message text or address:\n%s", out)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met within 5s")
}

// recordingSender records what it sends; its first Send may run a hook.
type recordingSender struct {
	mu    sync.Mutex
	sent  []string
	first func()
}

func (s *recordingSender) Send(ctx context.Context, o bot.Outbound) (string, error) {
	s.mu.Lock()
	hook := s.first
	s.first = nil
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, o.Text)
	return fmt.Sprintf("p%d", o.ID), nil
}

func (s *recordingSender) texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// TestShutdownReleasesClaims: SIGTERM arrives while the worker is sending
// the first of two queued replies. That send finishes; the second is not
// sent and not left leased, so the restarted service sends it at once
// (well within the one-minute lease), exactly once.
func TestShutdownReleasesClaims(t *testing.T) {
	dir := t.TempDir()
	// One send at a time, so that exactly one reply is under way at the
	// shutdown (bot/outboxtest covers shutdown with parallel sends).
	cfg, err := loadConfig("", env(map[string]string{"PASSERELLE_DATA_DIR": dir, "PASSERELLE_ADDR": "127.0.0.1:0",
		"PASSERELLE_SEND_CONCURRENCY": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	m1 := &Main{Config: cfg, Log: newLogger(logs, "info")}
	ctx1, stop := context.WithCancel(context.Background())
	defer stop()
	if err := m1.Open(ctx1); err != nil {
		t.Fatal(err)
	}
	first := &recordingSender{}
	m1.Worker.Senders[bot.ChannelWeb] = first
	readyDuringSend := make(chan bool, 1)
	first.first = func() {
		stop() // SIGTERM while this send is under way
		for m1.ready.Load() {
			time.Sleep(time.Millisecond)
		}
		res, err := http.Get("http://" + m1.Addr.Load().(string) + "/readyz")
		readyDuringSend <- err == nil && res.StatusCode == 200
		if res != nil {
			res.Body.Close()
		}
		time.Sleep(300 * time.Millisecond) // the server shuts down and the worker is told to stop
	}
	for i, who := range []string{"A", "B"} {
		err := m1.Store.InTx(ctx1, func(tx bot.Tx) error {
			c, conv, err := tx.RecordInbound(ctx1, bot.Inbound{Channel: bot.ChannelWeb, Surface: bot.SurfaceTelegram,
				Address: "shutdown-" + who, ProviderID: fmt.Sprint("s", i), Text: "hello", ReceivedAt: time.Now()})
			if err != nil {
				return err
			}
			_, err = tx.Enqueue(ctx1, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: who + "1"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := m1.Run(ctx1); err != nil {
		t.Fatalf("Run: %v", err)
	}
	m1.Close()
	if got := first.texts(); len(got) != 1 || got[0] != "A1" {
		t.Fatalf("before the restart sent %q, want [A1]", got)
	}
	if ok := <-readyDuringSend; ok {
		t.Error("/readyz still answered 200 during shutdown")
	}
	// The worker claims no more than it has free send slots, so B1 was
	// either never claimed or released at shutdown; either way the restart
	// must send it at once, not after the lease (checked below). The
	// release of claims not yet tried is covered by bot/outboxtest.

	m2 := &Main{Config: cfg, Log: newLogger(io.Discard, "info")}
	ctx2, stop2 := context.WithCancel(context.Background())
	if err := m2.Open(ctx2); err != nil {
		t.Fatal(err)
	}
	second := &recordingSender{}
	m2.Worker.Senders[bot.ChannelWeb] = second
	done := make(chan error, 1)
	go func() { done <- m2.Run(ctx2) }()
	start := time.Now()
	waitFor(t, func() bool { return len(second.texts()) > 0 })
	took := time.Since(start)
	time.Sleep(1500 * time.Millisecond) // a doubled send would show by now
	stop2()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m2.Close()
	if got := second.texts(); len(got) != 1 || got[0] != "B1" {
		t.Fatalf("after the restart sent %q, want [B1] exactly once", got)
	}
	if took > 10*time.Second {
		t.Fatalf("B1 took %v after the restart: the lease was not released", took)
	}
}
