package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
)

func testConcurrentTx(t *testing.T, f *fixture) {
	const workers, perWorker, addresses = 8, 25, 4
	var (
		mu    sync.Mutex
		convs = map[int64]bool{}
		wg    sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				addr := fmt.Sprintf("90000000%d", (w+i)%addresses) // workers share contacts
				err := f.s.InTx(f.ctx, func(tx bot.Tx) error {
					c, conv, err := tx.RecordInbound(f.ctx, bot.Inbound{Channel: bot.ChannelTelegram, Address: addr,
						ProviderID: fmt.Sprintf("w%d-%d", w, i), Text: "question"})
					if err != nil {
						return err
					}
					conv.Unanswered++
					conv.State.LastTopic = "t"
					if err := tx.SaveConversation(f.ctx, conv); err != nil {
						return err
					}
					if _, err := tx.AddMessage(f.ctx, bot.Message{ConversationID: conv.ID, Direction: bot.FromBot, Text: "answer"}); err != nil {
						return err
					}
					_, err = tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: "answer"})
					mu.Lock()
					convs[conv.ID] = true
					mu.Unlock()
					return err
				})
				if err != nil {
					t.Errorf("worker %d tx %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(convs) != addresses {
		t.Errorf("%d conversations for %d addresses", len(convs), addresses)
	}
	total := 0
	for id := range convs {
		total += len(f.transcript(id))
	}
	if want := workers * perWorker * 2; total != want {
		t.Errorf("%d messages recorded, want %d", total, want)
	}
	var unanswered int
	f.tx(func(tx bot.Tx) error {
		for i := range addresses {
			_, conv, err := tx.EnsureContact(f.ctx, bot.ChannelTelegram, fmt.Sprintf("90000000%d", i))
			if err != nil {
				return err
			}
			unanswered += conv.Unanswered
		}
		return nil
	})
	if unanswered != workers*perWorker {
		t.Errorf("unanswered counters add up to %d, want %d: a lost update", unanswered, workers*perWorker)
	}
}
