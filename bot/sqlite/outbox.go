package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// Enqueue writes a reply to the outbox, due at o.NotBefore (zero: now).
// An empty Channel or Surface is taken from the contact and conversation;
// a Channel other than the contact's is an error, since the sealed address
// belongs to that channel.
func (t *tx) Enqueue(ctx context.Context, o bot.Outbound) (bot.Outbound, error) {
	if o.Text == "" {
		return bot.Outbound{}, errors.New("enqueue: empty text")
	}
	var (
		ch      bot.Channel
		surface bot.Surface
	)
	err := t.tx.QueryRowContext(ctx, `SELECT c.channel, cv.surface
		FROM conversations cv JOIN contacts c ON c.id = cv.contact_id
		WHERE cv.id = ? AND c.id = ?`, o.ConversationID, o.ContactID).Scan(&ch, &surface)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Outbound{}, fmt.Errorf("enqueue: contact %d conversation %d: %w", o.ContactID, o.ConversationID, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Outbound{}, fmt.Errorf("enqueue: %w", err)
	}
	if o.Channel == "" {
		o.Channel = ch
	} else if o.Channel != ch {
		return bot.Outbound{}, fmt.Errorf("enqueue: channel %s for a %s contact", o.Channel, ch)
	}
	if o.Surface == "" {
		o.Surface = surface
	}
	opts := []byte("[]")
	if len(o.Options) > 0 {
		if opts, err = json.Marshal(o.Options); err != nil {
			return bot.Outbound{}, fmt.Errorf("enqueue: options: %w", err)
		}
	}
	now := t.s.now()
	o.NotBefore = orNow(o.NotBefore, now)
	o.CreatedAt = now
	o.Attempts = 0
	o.Address = ""
	err = t.tx.QueryRowContext(ctx, `INSERT INTO outbox
		(contact_id, conversation_id, channel, surface, lang, text, options, not_before, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?) RETURNING id`,
		o.ContactID, o.ConversationID, o.Channel, o.Surface, o.Lang, o.Text, string(opts),
		ms(o.NotBefore), ms(now)).Scan(&o.ID)
	if err != nil {
		return bot.Outbound{}, fmt.Errorf("enqueue: %w", err)
	}
	return o, nil
}

// claimQuery selects due messages that head their contact's queue, when no
// other message of that contact is leased. The head rule keeps each
// contact's replies in order: a message waiting for a retry holds back the
// ones after it. The scan walks the queued rows in id order and stops at
// the limit; its cost grows with the queued backlog, not with history.
const claimQuery = `SELECT o.id, o.contact_id, o.conversation_id, o.channel, o.surface, o.lang,
		o.text, o.options, o.attempts, o.not_before, o.created_at, c.address_sealed,
		c.last_seen, o.window_closed
	FROM outbox o INDEXED BY outbox_queue JOIN contacts c ON c.id = o.contact_id
	WHERE o.status = 'queued'
	  AND o.not_before <= ?
	  AND (o.leased_until IS NULL OR o.leased_until <= ?)
	  AND o.id = (SELECT MIN(h.id) FROM outbox h WHERE h.contact_id = o.contact_id AND h.status = 'queued')
	  AND NOT EXISTS (SELECT 1 FROM outbox l INDEXED BY outbox_queued_contact
	                  WHERE l.contact_id = o.contact_id AND l.status = 'queued'
	                    AND l.id <> o.id AND l.leased_until > ?)
	ORDER BY o.id
	LIMIT ?`

// ClaimOutbox leases up to limit due messages until now+lease, oldest
// first, at most one per contact, and returns them with Attempts counting
// this one and Address decrypted. A message whose address cannot be
// decrypted is marked failed and skipped.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]bot.Outbound, error) {
	if limit <= 0 {
		return nil, nil
	}
	now = now.UTC().Truncate(time.Millisecond)
	var out []bot.Outbound
	err := s.writeTx(ctx, true, func(t *sql.Tx) error {
		out = out[:0]
		rows, err := t.QueryContext(ctx, claimQuery, ms(now), ms(now), ms(now), limit)
		if err != nil {
			return err
		}
		var sealed [][]byte
		for rows.Next() {
			var (
				o                bot.Outbound
				opts             string
				notBefore, creat int64
				addr             []byte
				lastSeen         int64
			)
			err := rows.Scan(&o.ID, &o.ContactID, &o.ConversationID, &o.Channel, &o.Surface, &o.Lang,
				&o.Text, &opts, &o.Attempts, &notBefore, &creat, &addr, &lastSeen, &o.WindowClosed)
			if err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(opts), &o.Options); err != nil {
				rows.Close()
				return fmt.Errorf("outbox %d options: %w", o.ID, err)
			}
			if len(o.Options) == 0 {
				o.Options = nil
			}
			o.NotBefore, o.CreatedAt, o.LastInbound = fromMS(notBefore), fromMS(creat), fromMS(lastSeen)
			o.Status = bot.OutboxQueued
			out = append(out, o)
			sealed = append(sealed, addr)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		claimed := out[:0]
		for i, o := range out {
			addr, err := s.keys.Open(sealed[i])
			if err != nil {
				_, err = t.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = ?, failed_at = ?,
					leased_until = NULL WHERE id = ?`, "address cannot be decrypted", ms(now), o.ID)
				if err != nil {
					return err
				}
				continue
			}
			_, err = t.ExecContext(ctx, `UPDATE outbox SET leased_until = ?, attempts = attempts + 1 WHERE id = ?`,
				ms(now.Add(lease)), o.ID)
			if err != nil {
				return err
			}
			o.Address = string(addr)
			o.Attempts++
			claimed = append(claimed, o)
		}
		out = claimed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// markSentQuery takes one message out of the queue as sent.
const markSentQuery = `UPDATE outbox SET status = 'sent', provider_id = ?, sent_at = ?,
	leased_until = NULL, failed_at = NULL, held_at = NULL, window_closed = 0,
	delivery = '', error_code = '', delivery_at = NULL WHERE id = ?`

// MarkSent records that message id was delivered to the provider as
// providerID: it leaves the queue (status sent) and is deleted by Purge
// after the retention period. It succeeds whatever the message's status,
// since the provider's word is final.
func (s *Store) MarkSent(ctx context.Context, id int64, providerID string, at time.Time) error {
	res, err := s.exec(ctx, true, markSentQuery, nullString(providerID), ms(at), id)
	return affectedOne(res, err, "mark sent: outbox", id)
}

// MarkRetry puts queued message id back, due at at, with reason kept as its
// last error (long numbers redacted, see redactReason). The attempt was
// counted when it was claimed.
func (s *Store) MarkRetry(ctx context.Context, id int64, at time.Time, reason string) error {
	res, err := s.exec(ctx, true, `UPDATE outbox SET not_before = ?, leased_until = NULL, last_error = ?
		WHERE id = ? AND status = 'queued'`, ms(at), redactReason(reason), id)
	return s.queuedOne(ctx, res, err, "mark retry", id)
}

// MarkFailed gives up on queued message id: it stays in the outbox with
// status failed and reason (long numbers redacted) as its last error, and
// the contact's next message can go.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string, at time.Time) error {
	res, err := s.exec(ctx, true, `UPDATE outbox SET status = 'failed', last_error = ?, failed_at = ?,
		leased_until = NULL WHERE id = ? AND status = 'queued'`, redactReason(reason), ms(at), id)
	return s.queuedOne(ctx, res, err, "mark failed", id)
}

// queuedOne reports an update of a queued outbox row: ErrNotFound when the
// row does not exist, an error naming the status when it is not queued.
func (s *Store) queuedOne(ctx context.Context, res sql.Result, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("%s: outbox %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: outbox %d: %w", what, id, err)
	} else if n == 1 {
		return nil
	}
	var status string
	err = s.r.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: outbox %d: %w", what, id, bot.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("%s: outbox %d: %w", what, id, err)
	}
	return fmt.Errorf("%s: outbox %d is %s, not queued", what, id, status)
}
