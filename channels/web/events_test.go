package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

func TestReplyBeforeStreamIsKept(t *testing.T) {
	_, _, srv := newSim(t, echo)
	// The page posts before its EventSource is open: the reply waits.
	if code, body := post(t, srv, sendRequest{Session: session, ID: "a1", Text: "first", Surface: "telegram"}); code != http.StatusAccepted {
		t.Fatalf("status = %d (%s)", code, body)
	}
	s := openStream(t, srv, session)
	if ev := s.next(t); ev.Text != "first" {
		t.Errorf("text = %q, want first", ev.Text)
	}
	// And once connected, replies come as they are sent.
	post(t, srv, sendRequest{Session: session, ID: "a2", Text: "second", Surface: "telegram"})
	if ev := s.next(t); ev.Text != "second" {
		t.Errorf("text = %q, want second", ev.Text)
	}
}

func TestSendBeforeAnyMessage(t *testing.T) {
	// The outbox may deliver to a session the channel has never seen (after
	// a restart, say): the reply waits for the page.
	ch, _, srv := newSim(t, nil)
	id, err := ch.Send(context.Background(), bot.Outbound{Address: session, Surface: bot.SurfaceTelegram, Lang: "en", Text: "hello"})
	if err != nil || !strings.HasPrefix(id, "web-") {
		t.Fatalf("Send = %q, %v", id, err)
	}
	if ev := openStream(t, srv, session).next(t); ev.Text != "hello" || "web-"+itoa(ev.ID) != id {
		t.Errorf("event = %+v, want hello with the id Send returned (%s)", ev, id)
	}
}

func TestRepliesInOrder(t *testing.T) {
	ch, _, srv := newSim(t, nil)
	ctx := context.Background()
	send := func(text string) {
		t.Helper()
		if _, err := ch.Send(ctx, bot.Outbound{Address: session, Surface: bot.SurfaceTelegram, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 { // buffered before the page connects
		send("before " + string(rune('a'+i)))
	}
	s := openStream(t, srv, session)
	for i := range 50 { // and while it is connected, in bursts
		send("after " + itoa(int64(i)))
	}
	var last int64
	for i := range 55 {
		ev := s.next(t)
		want := "after " + itoa(int64(i-5))
		if i < 5 {
			want = "before " + string(rune('a'+i))
		}
		if ev.Text != want {
			t.Fatalf("event %d = %q, want %q", i, ev.Text, want)
		}
		if ev.ID <= last {
			t.Errorf("event %d: id %d not after %d", i, ev.ID, last)
		}
		last = ev.ID
	}
}

func TestSessionsAreSeparate(t *testing.T) {
	ch, _, srv := newSim(t, nil)
	const other = "00000000-1111-2222-3333-444444444444"
	a, b := openStream(t, srv, session), openStream(t, srv, other)
	ctx := context.Background()
	ch.Send(ctx, bot.Outbound{Address: session, Text: "for a"})
	ch.Send(ctx, bot.Outbound{Address: other, Text: "for b"})
	if ev := a.next(t); ev.Text != "for a" {
		t.Errorf("a got %q", ev.Text)
	}
	if ev := b.next(t); ev.Text != "for b" {
		t.Errorf("b got %q (another session's reply?)", ev.Text)
	}
}

func TestPendingIsBounded(t *testing.T) {
	ch, _, srv := newSim(t, nil)
	for i := range maxPending + 10 {
		ch.Send(context.Background(), bot.Outbound{Address: session, Text: itoa(int64(i))})
	}
	ch.Send(context.Background(), bot.Outbound{Address: session, Text: "end"})
	s := openStream(t, srv, session)
	// The oldest go first: the page sees the newest maxPending replies.
	if ev := s.next(t); ev.Text != itoa(int64(11)) {
		t.Errorf("first kept reply = %q, want %d", ev.Text, 11)
	}
	for range maxPending - 2 {
		s.next(t)
	}
	if ev := s.next(t); ev.Text != "end" {
		t.Errorf("last reply = %q, want end", ev.Text)
	}
}

func TestEventsBadSession(t *testing.T) {
	_, _, srv := newSim(t, nil)
	for _, q := range []string{"", "?session=", "?session=short", "?session=" + strings.Repeat("x", 65), "?session=a%0Ab%0Acdefgh"} {
		resp, err := srv.Client().Get(srv.URL + "/sim/events" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /sim/events%s = %d, want 400", q, resp.StatusCode)
		}
	}
}

func TestCloseEndsStreams(t *testing.T) {
	ch, _, srv := newSim(t, nil)
	a := openStream(t, srv, session)
	b := openStream(t, srv, "00000000-1111-2222-3333-444444444444")
	start := time.Now()
	ch.Close()
	for _, s := range []*stream{a, b} {
		select {
		case <-s.done:
		case <-time.After(waitTimeout):
			t.Fatal("the stream is still open after Close")
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v to end the streams", d)
	}
	ch.Close() // twice is harmless
}

func TestReconnectResends(t *testing.T) {
	ch, _, srv := newSim(t, nil)
	ctx := context.Background()
	send := func(text string) { ch.Send(ctx, bot.Outbound{Address: session, Text: text}) }
	s := openStream(t, srv, session)
	send("a")
	send("b")
	a := s.nextSSE(t)
	s.nextSSE(t) // written, but say the phone was asleep and never got it
	s.close()
	send("c") // while disconnected

	s = reconnect(t, srv, session, a.ID)
	for _, want := range []string{"b", "c"} {
		if ev := s.next(t); ev.Text != want {
			t.Errorf("after reconnecting: %q, want %q", ev.Text, want)
		}
	}
	s.close()

	// A new page (no Last-Event-ID), or an id from before a restart or
	// from nowhere, gets only what no page was given.
	for _, last := range []string{"", "0", "abc", "x.1", ch.boot + ".99999", ch.boot + ".-1"} {
		s := reconnect(t, srv, session, last)
		send("new for " + last)
		if ev := s.next(t); ev.Text != "new for "+last {
			t.Errorf("Last-Event-ID %q: got %q first, want only the new reply", last, ev.Text)
		}
		s.close()
	}
}

func TestTwoStreamsOneSession(t *testing.T) {
	ch, _, srv := newSim(t, nil)
	a, b := openStream(t, srv, session), openStream(t, srv, session)
	ch.Send(context.Background(), bot.Outbound{Address: session, Text: "both"})
	for i, s := range []*stream{a, b} {
		if ev := s.next(t); ev.Text != "both" {
			t.Errorf("tab %d got %q", i, ev.Text)
		}
	}
}

func TestSweepKeepsOpenStreams(t *testing.T) {
	ch, _, srv := newSim(t, nil)
	s := openStream(t, srv, session)
	ch.mu.Lock()
	long := time.Now().Add(-2 * time.Hour)
	ch.box[session].seen = long // the page has been open, quiet, for hours
	for i := range maxSessions + 1 {
		ch.box[fmt.Sprintf("idle-session-%04d", i)] = &mailbox{wake: make(chan struct{}), seen: long}
	}
	ch.mu.Unlock()
	// A message of another session triggers the sweep.
	if _, err := ch.Send(context.Background(), bot.Outbound{Address: "another-session", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	ch.mu.Lock()
	n := len(ch.box)
	_, kept := ch.box[session]
	ch.mu.Unlock()
	if n > 2 || !kept {
		t.Fatalf("after the sweep: %d sessions, connected one kept: %v", n, kept)
	}
	ch.Send(context.Background(), bot.Outbound{Address: session, Text: "still here"})
	if ev := s.next(t); ev.Text != "still here" {
		t.Errorf("got %q", ev.Text)
	}
}
