package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// heldUntil is the not_before of a held reply: never due until released.
// (9999-12-31, in unix milliseconds, as in SQLite.)
const heldUntil int64 = 253402300799999

// MarkHeld keeps queued message id until its contact writes again (the
// messaging window is closed): it is not due until RecordInbound releases
// it, and, being the head of its contact's queue, it holds back the
// replies after it, so they keep their order and no second template goes.
// providerID, when set, is the id of what was sent instead (a template
// telling the person a reply is waiting): its status callbacks then land on
// this row. reason (long numbers redacted) is what the console shows. The
// attempt the claim counted is given back.
func (s *Store) MarkHeld(ctx context.Context, id int64, providerID, reason string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET held_at = $1, not_before = $2, leased_until = NULL,
		last_error = $3, provider_id = COALESCE($4, provider_id), delivery = '', error_code = '', delivery_at = NULL,
		attempts = GREATEST(attempts - 1, 0)
		WHERE id = $5 AND status = 'queued'`,
		ms(at), heldUntil, text(redactReason(reason)), nullText(providerID), id)
	return s.queuedOne(ctx, tag, err, "mark held", id)
}

// MarkWindowClosed puts sent message id back at the head of its contact's
// queue, due at at, marked WindowClosed: the provider reported it failed
// as outside the messaging window, so the channel sends it the way that
// works outside the window. A message that is not sent is left alone.
func (s *Store) MarkWindowClosed(ctx context.Context, id int64, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET status = 'queued', window_closed = TRUE, not_before = $1,
		leased_until = NULL, held_at = NULL, sent_at = NULL,
		last_error = 'outside the messaging window: to be sent the way that works outside it'
		WHERE id = $2 AND status = 'sent'`, ms(at), id)
	if err != nil {
		return fmt.Errorf("mark window closed: outbox %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		var one int
		err := s.pool.QueryRow(ctx, `SELECT 1 FROM outbox WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("mark window closed: outbox %d: %w", id, bot.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("mark window closed: outbox %d: %w", id, err)
		}
	}
	return nil
}

// RecordDelivery records a provider's report on the message it knows as
// d.ProviderID (on d.Channel, or any channel when empty). Reports may come
// out of order, and to different replicas at once: the row is locked while
// a status replaces only one that comes before it in a message's life
// (bot.DeliveryRank), so a late "sent" never hides "delivered". The error
// code of a failure is always kept. It returns the message as it now
// stands, or an error wrapping bot.ErrNotFound for an id it does not know.
func (s *Store) RecordDelivery(ctx context.Context, d bot.Delivery) (bot.Outbound, error) {
	if d.ProviderID == "" {
		return bot.Outbound{}, fmt.Errorf("record delivery: no provider id: %w", bot.ErrNotFound)
	}
	var o bot.Outbound
	err := s.write(ctx, func(t pgx.Tx) error {
		o = bot.Outbound{}
		var (
			status string
			held   *int64
		)
		err := t.QueryRow(ctx, `SELECT id, contact_id, conversation_id, channel, status, held_at, delivery, error_code
			FROM outbox WHERE provider_id = $1 AND ($2 = '' OR channel = $2) ORDER BY id DESC LIMIT 1
			FOR UPDATE`,
			text(d.ProviderID), text(d.Channel)).Scan(&o.ID, &o.ContactID, &o.ConversationID, &o.Channel,
			&status, &held, &o.Delivery, &o.ErrorCode)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%s message: %w", d.Channel, bot.ErrNotFound)
		}
		if err != nil {
			return err
		}
		o.Status = outboxStatus(status, held)
		if bot.DeliveryRank(d.Status) > bot.DeliveryRank(o.Delivery) {
			o.Delivery = d.Status
		}
		if d.ErrorCode != "" {
			o.ErrorCode = d.ErrorCode
		}
		_, err = t.Exec(ctx, `UPDATE outbox SET delivery = $1, error_code = $2, delivery_at = $3 WHERE id = $4`,
			text(o.Delivery), text(o.ErrorCode), ms(orNow(d.At, s.now())), o.ID)
		return err
	})
	if err != nil {
		return bot.Outbound{}, fmt.Errorf("record delivery: %w", err)
	}
	return o, nil
}

// outboxStatus is the status the console sees: a queued row with held_at
// is held.
func outboxStatus(status string, held *int64) bot.OutboxStatus {
	if status == string(bot.OutboxQueued) && held != nil {
		return bot.OutboxHeld
	}
	return bot.OutboxStatus(status)
}

// Outbox lists the conversation's replies, oldest first, with where each
// stands: queued, held (and why), sent (and the provider's delivery
// status), failed (and the error). Addresses are not decrypted. A
// conversation that does not exist gives an error wrapping
// bot.ErrNotFound.
func (s *Store) Outbox(ctx context.Context, conversationID int64) ([]bot.Outbound, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, contact_id, conversation_id, channel, surface, lang, text, options,
		attempts, not_before, created_at, status, held_at, window_closed, COALESCE(provider_id, ''), delivery,
		error_code, COALESCE(last_error, '')
		FROM outbox WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("outbox of conversation %d: %w", conversationID, err)
	}
	defer rows.Close()
	out := []bot.Outbound{}
	for rows.Next() {
		var (
			o                 bot.Outbound
			opts              []byte
			status            string
			notBefore, creatd int64
			held              *int64
		)
		err := rows.Scan(&o.ID, &o.ContactID, &o.ConversationID, &o.Channel, &o.Surface, &o.Lang, &o.Text, &opts,
			&o.Attempts, &notBefore, &creatd, &status, &held, &o.WindowClosed, &o.ProviderID, &o.Delivery,
			&o.ErrorCode, &o.LastError)
		if err != nil {
			return nil, fmt.Errorf("outbox of conversation %d: %w", conversationID, err)
		}
		if err := json.Unmarshal(opts, &o.Options); err != nil {
			return nil, fmt.Errorf("outbox %d options: %w", o.ID, err)
		}
		if len(o.Options) == 0 {
			o.Options = nil
		}
		o.Status = outboxStatus(status, held)
		o.NotBefore, o.CreatedAt = fromMS(notBefore), fromMS(creatd)
		if o.Status == bot.OutboxHeld {
			o.NotBefore = time.Time{}
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox of conversation %d: %w", conversationID, err)
	}
	if len(out) == 0 {
		var one int
		err := s.pool.QueryRow(ctx, `SELECT 1 FROM conversations WHERE id = $1`, conversationID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("outbox of conversation %d: %w", conversationID, bot.ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("outbox of conversation %d: %w", conversationID, err)
		}
	}
	return out, nil
}
