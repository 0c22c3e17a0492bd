package postgres

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/storetest"
)

// TestReplicasClaim: two Stores on one database (two replicas), each with
// several workers, drain a shared outbox. Every message is claimed exactly
// once, each contact's messages are claimed in order, and never while
// another of that contact is in flight.
func TestReplicasClaim(t *testing.T) {
	url := freshSchema(t)
	replicas := []*Store{openAt(t, url, testKeys(t, "k")), openAt(t, url, testKeys(t, "k"))}
	const contacts, perContact = 40, 8
	base := time.Now().UTC()
	for i := range contacts {
		err := replicas[i%2].InTx(t.Context(), func(tx bot.Tx) error {
			c, conv, err := tx.RecordInbound(t.Context(), bot.Inbound{Channel: bot.ChannelTelegram,
				Address: fmt.Sprintf("71%07d", i), ProviderID: fmt.Sprint(i), Text: "hi"})
			if err != nil {
				return err
			}
			for j := range perContact {
				_, err := tx.Enqueue(t.Context(), bot.Outbound{ContactID: c.ID, ConversationID: conv.ID,
					Text: fmt.Sprintf("%02d", j), NotBefore: base})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu       sync.Mutex
		times    = map[int64]int{}
		order    = map[int64][]int64{}
		inFlight = map[int64]bool{}
		wg       sync.WaitGroup
		done     atomic.Int64
	)
	for r, s := range replicas {
		for w := range 4 {
			wg.Go(func() {
				for idle := 0; idle < 200 && done.Load() < contacts*perContact; {
					batch, err := s.ClaimOutbox(t.Context(), base, 5, time.Hour)
					if err != nil {
						t.Errorf("replica %d worker %d: %v", r, w, err)
						return
					}
					if len(batch) == 0 {
						idle++
						time.Sleep(time.Millisecond)
						continue
					}
					mu.Lock()
					for _, o := range batch {
						times[o.ID]++
						order[o.ContactID] = append(order[o.ContactID], o.ID)
						if inFlight[o.ContactID] {
							t.Errorf("contact %d: message %d claimed while another is in flight", o.ContactID, o.ID)
						}
						inFlight[o.ContactID] = true
					}
					mu.Unlock()
					for _, o := range batch {
						mu.Lock()
						inFlight[o.ContactID] = false
						mu.Unlock()
						if err := s.MarkSent(t.Context(), o.ID, "p", base); err != nil {
							t.Error(err)
						}
						done.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	if len(times) != contacts*perContact {
		t.Errorf("claimed %d distinct messages, want %d", len(times), contacts*perContact)
	}
	for id, n := range times {
		if n != 1 {
			t.Errorf("message %d claimed %d times", id, n)
		}
	}
	for c, ids := range order {
		if !slices.IsSorted(ids) {
			t.Errorf("contact %d claimed out of order: %v", c, ids)
		}
	}
}

// TestReplicasSameMessage: a provider delivering the same message to two
// replicas at once gets exactly one record and one reply; different
// messages from one person on both replicas share one contact and
// conversation, and no update of the conversation is lost.
func TestReplicasSameMessage(t *testing.T) {
	url := freshSchema(t)
	replicas := []*Store{openAt(t, url, testKeys(t, "k")), openAt(t, url, testKeys(t, "k"))}
	turn := func(s *Store, in bot.Inbound) (int64, error) {
		var convID int64
		err := s.InTx(t.Context(), func(tx bot.Tx) error {
			c, conv, err := tx.RecordInbound(t.Context(), in)
			if err != nil {
				return err
			}
			convID = conv.ID
			conv.Unanswered++
			if err := tx.SaveConversation(t.Context(), conv); err != nil {
				return err
			}
			_, err = tx.Enqueue(t.Context(), bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: "answer"})
			return err
		})
		return convID, err
	}
	const rounds = 30
	convs := map[int64]bool{}
	for i := range rounds {
		in := bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: fmt.Sprintf("SM%d", i), Text: "hi"}
		var (
			wg   sync.WaitGroup
			errs [4]error
			ids  [4]int64
		)
		for k := range 4 {
			wg.Go(func() { ids[k], errs[k] = turn(replicas[k%2], in) })
		}
		wg.Wait()
		ok := 0
		for k, err := range errs {
			switch {
			case err == nil:
				ok++
				convs[ids[k]] = true
			case !errors.Is(err, bot.ErrDuplicate):
				t.Errorf("round %d: %v", i, err)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d deliveries recorded, want 1", i, ok)
		}
	}
	if len(convs) != 1 {
		t.Fatalf("%d conversations for one person, want 1", len(convs))
	}
	var conv int64
	for id := range convs {
		conv = id
	}
	msgs, err := replicas[0].Transcript(t.Context(), conv)
	if err != nil || len(msgs) != rounds {
		t.Errorf("transcript has %d messages, %v; want %d", len(msgs), err, rounds)
	}
	box, err := replicas[1].Outbox(t.Context(), conv)
	if err != nil || len(box) != rounds {
		t.Errorf("outbox has %d replies, %v; want %d", len(box), err, rounds)
	}
	err = replicas[0].InTx(t.Context(), func(tx bot.Tx) error {
		_, c, err := tx.EnsureContact(t.Context(), bot.ChannelSMS, storetest.PhoneA)
		if err == nil && c.Unanswered != rounds {
			t.Errorf("unanswered = %d, want %d: a lost update", c.Unanswered, rounds)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPurgeSkipsBusyContact: a contact Purge would delete, but that a
// transaction is writing to at that moment (an old message arriving late),
// is left alone, and the message is kept.
func TestPurgeSkipsBusyContact(t *testing.T) {
	url := freshSchema(t)
	a, b := openAt(t, url, testKeys(t, "k")), openAt(t, url, testKeys(t, "k"))
	old := time.Now().Add(-40 * 24 * time.Hour)
	in := bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "old", ReceivedAt: old}
	_, conv := record(t, a, in)
	out, err := a.ClaimOutbox(t.Context(), time.Now(), 1, time.Minute)
	if err != nil || len(out) != 1 {
		t.Fatal(out, err)
	}
	if err := a.MarkSent(t.Context(), out[0].ID, "p", old); err != nil {
		t.Fatal(err)
	}
	// The contact holds only old rows and was last seen long ago: Purge
	// would erase it. A late message for it is being recorded while Purge
	// runs on the other replica.
	recorded, release := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- a.InTx(t.Context(), func(tx bot.Tx) error {
			late := in
			late.ProviderID, late.Text = "SM2", "late"
			if _, _, err := tx.RecordInbound(t.Context(), late); err != nil {
				return err
			}
			close(recorded)
			<-release
			return nil
		})
	}()
	<-recorded
	n, err := b.Purge(t.Context(), time.Now().Add(-30*24*time.Hour))
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("purge beside a writer deleted %d rows, want 3 (old message, sent reply, dedupe row)", n)
	}
	msgs, err := a.Transcript(t.Context(), conv.ID)
	if err != nil || len(msgs) != 1 || msgs[0].Text != "late" {
		t.Errorf("late message after purge: %+v, %v", msgs, err)
	}
}
