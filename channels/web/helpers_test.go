package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/locales"
)

// session is a session id as the page makes it (crypto.randomUUID).
const session = "3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f"

// itoa formats n in decimal.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// fakeEngine stands in for bot.Engine: it records every inbound message and,
// like the engine with its outbox, answers through the channel's Send.
type fakeEngine struct {
	ch    *Channel
	reply func(in bot.Inbound) []bot.Outbound // nil: no reply
	inbox chan bot.Inbound                    // every handled message, in order

	mu  sync.Mutex
	got []bot.Inbound
	err error // returned by Handle when set
}

func (f *fakeEngine) Handle(ctx context.Context, in bot.Inbound) error {
	f.mu.Lock()
	err := f.err
	if err == nil {
		f.got = append(f.got, in)
	}
	f.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case f.inbox <- in:
	default:
	}
	if f.reply == nil {
		return nil
	}
	for _, o := range f.reply(in) {
		if _, err := f.ch.Send(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeEngine) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeEngine) received() []bot.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Inbound(nil), f.got...)
}

// echo replies with the person's text, in the language they hinted, on
// the surface they chose.
func echo(in bot.Inbound) []bot.Outbound {
	return []bot.Outbound{{Channel: bot.ChannelWeb, Surface: in.Surface, Address: in.Address, Lang: in.LangHint, Text: in.Text}}
}

// loadCatalog loads the real language catalog once: it is read-only.
var loadCatalog = sync.OnceValues(locales.Load)

// catalog returns the real language catalog (for each language's direction).
func catalog(t testing.TB) *locales.Catalog {
	t.Helper()
	cat, err := loadCatalog()
	if err != nil {
		t.Fatalf("loading locales: %v", err)
	}
	return cat
}

// newSim starts the simulator's routes on an httptest server. The channel
// is closed before the server, as cmd/passerelle does on shutdown.
func newSim(t testing.TB, reply func(bot.Inbound) []bot.Outbound) (*Channel, *fakeEngine, *httptest.Server) {
	t.Helper()
	f := &fakeEngine{reply: reply, inbox: make(chan bot.Inbound, 100)}
	ch := New(f, catalog(t), nil)
	f.ch = ch
	mux := http.NewServeMux()
	ch.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ch.Close()
		srv.Close()
	})
	return ch, f, srv
}

// post sends one message as the page does and returns the status and body.
func post(t testing.TB, srv *httptest.Server, req sendRequest) (int, string) {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return postRaw(t, srv, body)
}

func postRaw(t testing.TB, srv *httptest.Server, body []byte) (int, string) {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+"/sim/send", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST /sim/send: %v", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.String()
}

// stream is a client of /sim/events, as the page's EventSource.
type stream struct {
	events chan sse
	done   chan struct{} // closed when the server ends the stream
	close  func()        // disconnects, as a page that goes away
}

// sse is one server-sent event.
type sse struct {
	ID   string // for Last-Event-ID
	Data json.RawMessage
}

// openStream connects to a session's events and returns once the server
// has said it is connected (so the session's mailbox exists).
func openStream(t testing.TB, srv *httptest.Server, session string) *stream {
	t.Helper()
	return reconnect(t, srv, session, "")
}

// reconnect connects as an EventSource does after losing its connection:
// with the id of the last event it received.
func reconnect(t testing.TB, srv *httptest.Server, session, lastEventID string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/sim/events?session="+session, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET /sim/events: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		resp.Body.Close()
		t.Fatalf("GET /sim/events: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q, want text/event-stream", ct)
	}
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || line != ": connected\n" {
		cancel()
		resp.Body.Close()
		t.Fatalf("first line = %q, %v; want \": connected\"", line, err)
	}
	s := &stream{events: make(chan sse, 1000), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		var data []string
		var id string
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if data != nil {
					s.events <- sse{ID: id, Data: json.RawMessage(strings.Join(data, "\n"))}
					data = nil
				}
			case strings.HasPrefix(line, "id: "):
				id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	s.close = func() {
		cancel()
		resp.Body.Close()
		<-s.done
	}
	t.Cleanup(s.close)
	return s
}

// waitTimeout bounds every wait for the server; nothing here should take
// more than a few milliseconds.
const waitTimeout = 5 * time.Second

// nextRaw returns the next event's JSON.
func (s *stream) nextRaw(t testing.TB) json.RawMessage {
	t.Helper()
	return s.nextSSE(t).Data
}

// nextSSE returns the next event as sent.
func (s *stream) nextSSE(t testing.TB) sse {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-s.done:
		t.Fatal("the event stream ended before the reply came")
	case <-time.After(waitTimeout):
		t.Fatal("no reply on the event stream")
	}
	return sse{}
}

// next returns the next event.
func (s *stream) next(t testing.TB) Event {
	t.Helper()
	var ev Event
	if err := json.Unmarshal(s.nextRaw(t), &ev); err != nil {
		t.Fatalf("decoding event: %v", err)
	}
	return ev
}
