package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/passerelle-org/passerelle/bot"
)

// Reply appends the bot's message to the transcript, then the reply to the
// outbox (bot.Tx): on SQLite, in process, the two statements cost what one
// would.
func (t *tx) Reply(ctx context.Context, m bot.Message, o bot.Outbound) error {
	if _, err := t.AddMessage(ctx, m); err != nil {
		return err
	}
	_, err := t.Enqueue(ctx, o)
	return err
}

// MarkSentBatch records every send of sent in one transaction, the
// outbox worker's turn on the writer (see gate): one commit instead of
// one per reply.
func (s *Store) MarkSentBatch(ctx context.Context, sent []bot.Sent) error {
	if len(sent) == 0 {
		return nil
	}
	var errs []error
	err := s.writeTx(ctx, true, func(t *sql.Tx) error {
		errs = errs[:0]
		for _, x := range sent {
			res, err := t.ExecContext(ctx, markSentQuery, nullString(x.ProviderID), ms(x.At), x.ID)
			if err := affectedOne(res, err, "mark sent: outbox", x.ID); err != nil {
				if !errors.Is(err, bot.ErrNotFound) {
					return err
				}
				errs = append(errs, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return errors.Join(errs...)
}
