package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/storetest"
)

// TestClaimPlanWalksQueue checks the shape of the claim plan on a backlog
// of 8,000 queued replies whose statistics were taken on an empty outbox:
// it walks outbox_queue in id order and probes each contact's queue by
// outbox_queued_contact, with no sort and no scan of the whole outbox, so
// its cost follows the rows claimed rather than the backlog (see
// claimQuery; BenchmarkClaimBacklog measures the time).
func TestClaimPlanWalksQueue(t *testing.T) {
	s := openAt(t, freshSchema(t), testKeys(t, "k"))
	now := time.Now().UTC().Truncate(time.Millisecond)
	fillBacklog(t, s, now, backlog{contacts: 2000, each: 4, leasedEvery: 250, retryEvery: 10})
	plan := strings.Join(explainClaim(t, s, now), "\n")
	for _, bad := range []string{"Sort", "Seq Scan on outbox", "Bitmap", "Hash"} {
		if strings.Contains(plan, bad) {
			t.Errorf("plan has %q:\n%s", bad, plan)
		}
	}
	for _, want := range []string{"using outbox_queue on outbox o", "using outbox_queued_contact on outbox h",
		"using outbox_queued_contact on outbox l"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
}

// TestClaimWaitsForLeaseBehindHead: a message put back at the head of its
// contact's queue (MarkWindowClosed) while a later one is leased waits for
// that lease to end, so one contact never has two messages in flight.
func TestClaimWaitsForLeaseBehindHead(t *testing.T) {
	s := openAt(t, freshSchema(t), testKeys(t, "k"))
	c, conv := record(t, s, bot.Inbound{Channel: bot.ChannelTelegram, Address: storetest.ChatIDA, ProviderID: "1", Text: "hi"})
	err := s.InTx(t.Context(), func(tx bot.Tx) error {
		_, err := tx.Enqueue(t.Context(), bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: "second"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claim := func(at time.Time) []bot.Outbound {
		t.Helper()
		got, err := s.ClaimOutbox(t.Context(), at, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	first := claim(now)
	if len(first) != 1 || first[0].Text != "reply" {
		t.Fatalf("first claim %+v, want the first reply", first)
	}
	if err := s.MarkSent(t.Context(), first[0].ID, "p1", now); err != nil {
		t.Fatal(err)
	}
	if got := claim(now); len(got) != 1 || got[0].Text != "second" {
		t.Fatalf("second claim %+v, want the second reply", got)
	}
	if err := s.MarkWindowClosed(t.Context(), first[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if got := claim(now.Add(time.Second)); len(got) != 0 {
		t.Fatalf("claimed %+v while the contact's second reply is leased", got)
	}
	if got := claim(now.Add(2 * time.Minute)); len(got) != 1 || got[0].ID != first[0].ID {
		t.Fatalf("after the lease: %+v, want the first reply again", got)
	}
}
