package postgres

import (
	"context"
	"errors"

	"github.com/passerelle-org/passerelle/bot"
)

// Reply appends the bot's message to the transcript, then the reply to the
// outbox (bot.Tx).
func (t *tx) Reply(ctx context.Context, m bot.Message, o bot.Outbound) error {
	if _, err := t.AddMessage(ctx, m); err != nil {
		return err
	}
	_, err := t.Enqueue(ctx, o)
	return err
}

// MarkSentBatch records every send of sent (bot.Store).
func (s *Store) MarkSentBatch(ctx context.Context, sent []bot.Sent) error {
	var errs []error
	for _, x := range sent {
		if err := s.MarkSent(ctx, x.ID, x.ProviderID, x.At); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
