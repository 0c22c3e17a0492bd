package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/passerelle-org/passerelle/bot"
)

// Enqueue writes a reply to the outbox, due at o.NotBefore (zero: now).
// An empty Channel or Surface is taken from the contact and conversation;
// a Channel other than the contact's is an error, since the sealed address
// belongs to that channel. The contact row is locked until the transaction
// ends, so a contact's replies are numbered in commit order.
func (t *tx) Enqueue(ctx context.Context, o bot.Outbound) (bot.Outbound, error) {
	if o.Text == "" {
		return bot.Outbound{}, errors.New("enqueue: empty text")
	}
	var (
		ch      bot.Channel
		surface bot.Surface
	)
	err := t.tx.QueryRow(ctx, `SELECT c.channel, cv.surface
		FROM conversations cv JOIN contacts c ON c.id = cv.contact_id
		WHERE cv.id = $1 AND c.id = $2
		FOR NO KEY UPDATE OF c`, o.ConversationID, o.ContactID).Scan(&ch, &surface)
	if errors.Is(err, pgx.ErrNoRows) {
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
	opts := "[]"
	if len(o.Options) > 0 {
		if opts, err = jsonText(o.Options); err != nil {
			return bot.Outbound{}, fmt.Errorf("enqueue: options: %w", err)
		}
	}
	now := t.s.now()
	o.NotBefore = orNow(o.NotBefore, now)
	o.CreatedAt = now
	o.Attempts = 0
	o.Address = ""
	err = t.tx.QueryRow(ctx, `INSERT INTO outbox
		(contact_id, conversation_id, channel, surface, lang, text, options, not_before, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9) RETURNING id`,
		o.ContactID, o.ConversationID, text(o.Channel), text(o.Surface), text(o.Lang), text(o.Text), opts,
		ms(o.NotBefore), ms(now)).Scan(&o.ID)
	if err != nil {
		return bot.Outbound{}, fmt.Errorf("enqueue: %w", err)
	}
	return o, nil
}

// claimQuery selects due messages that head their contact's queue, when no
// other message of that contact is leased, and locks them. The head rule
// keeps each contact's replies in order: a message waiting for a retry
// holds back the ones after it. SKIP LOCKED passes over rows another
// replica is claiming; a row that replica claimed and committed meanwhile
// is re-checked by PostgreSQL against its new lease and status and left
// out. LIMIT sits above the lock, so a replica passes over the rows
// another one holds and takes the next ones.
//
// The plan must walk outbox_queue in id order and stop after limit rows,
// probing outbox_queued_contact per row: its cost then follows the rows
// walked, not the backlog. A backlog grows faster than autovacuum
// analyzes, and statistics taken when few rows were queued make every
// plan look free: PostgreSQL then read every queued row and sorted them
// (370 ms at 40,000 queued in a load test), or probed a contact's queue by reading the
// whole of outbox_queue. So claimSetup forbids sorts, and each probe
// orders the contact's rows by (id, leased_until), an order only
// outbox_queued_contact (contact_id, id, leased_until) gives once the
// contact is fixed: outbox_queue has not_before between the two. The walk
// is then the only way to get rows in id order, and that index the only
// way to probe. Since a head has the lowest id, any other leased row of
// its contact comes after it. The contact's columns are read by subqueries
// too, for the rows returned only: as a join, stale statistics could make
// it a scan of contacts per row. BenchmarkClaimBacklog measures this.
const claimQuery = `SELECT o.id, o.contact_id, o.conversation_id, o.channel, o.surface, o.lang,
		o.text, o.options, o.attempts, o.not_before, o.created_at,
		(SELECT c.address_sealed FROM contacts c WHERE c.id = o.contact_id),
		(SELECT c.last_seen FROM contacts c WHERE c.id = o.contact_id), o.window_closed
	FROM outbox o
	WHERE o.status = 'queued'
	  AND o.not_before <= $1
	  AND COALESCE(o.leased_until, 0) <= $1
	  AND o.id = (SELECT h.id FROM outbox h WHERE h.contact_id = o.contact_id AND h.status = 'queued'
	              ORDER BY h.id, h.leased_until LIMIT 1)
	  AND (SELECT l.id FROM outbox l WHERE l.contact_id = o.contact_id AND l.status = 'queued'
	         AND l.leased_until > $1 ORDER BY l.id, l.leased_until LIMIT 1) IS NULL
	ORDER BY o.id
	LIMIT $2
	FOR UPDATE OF o SKIP LOCKED`

// claimSetup makes the transaction plan claimQuery as an index walk with
// probes (see there), forbidding sorts until the transaction ends. It also
// turns off JIT compilation: on up-to-date statistics the planner prices
// the walk as if it read the whole backlog, above jit_above_cost, and
// compiling then takes 10-50 ms for a query that runs in under one.
const claimSetup = `SELECT set_config('enable_sort', 'off', true),
	set_config('enable_incremental_sort', 'off', true), set_config('jit', 'off', true)`

// ClaimOutbox leases up to limit due messages until now+lease, oldest
// first, at most one per contact, and returns them with Attempts counting
// this one and Address decrypted. A message whose address cannot be
// decrypted is marked failed and skipped. Replicas may claim at the same
// time: each message goes to one of them.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]bot.Outbound, error) {
	if limit <= 0 {
		return nil, nil
	}
	now = now.UTC().Truncate(time.Millisecond)
	var out []bot.Outbound
	err := s.write(ctx, func(t pgx.Tx) error {
		out = out[:0]
		if _, err := t.Exec(ctx, claimSetup); err != nil {
			return err
		}
		rows, err := t.Query(ctx, claimQuery, ms(now), limit)
		if err != nil {
			return err
		}
		var sealed [][]byte
		for rows.Next() {
			var (
				o                bot.Outbound
				opts             []byte
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
			if err := json.Unmarshal(opts, &o.Options); err != nil {
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
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var leased, broken []int64
		claimed := out[:0]
		for i, o := range out {
			addr, err := s.keys.Open(sealed[i])
			if err != nil {
				broken = append(broken, o.ID)
				continue
			}
			o.Address = string(addr)
			o.Attempts++
			claimed = append(claimed, o)
			leased = append(leased, o.ID)
		}
		out = claimed
		if len(broken) > 0 {
			_, err := t.Exec(ctx, `UPDATE outbox SET status = 'failed', last_error = 'address cannot be decrypted',
				failed_at = $1, leased_until = NULL WHERE id = ANY($2)`, ms(now), broken)
			if err != nil {
				return err
			}
		}
		if len(leased) > 0 {
			_, err := t.Exec(ctx, `UPDATE outbox SET leased_until = $1, attempts = attempts + 1 WHERE id = ANY($2)`,
				ms(now.Add(lease)), leased)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// MarkSent records that message id was delivered to the provider as
// providerID: it leaves the queue (status sent) and is deleted by Purge
// after the retention period. It succeeds whatever the message's status,
// since the provider's word is final.
func (s *Store) MarkSent(ctx context.Context, id int64, providerID string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET status = 'sent', provider_id = $1, sent_at = $2,
		leased_until = NULL, failed_at = NULL, held_at = NULL, window_closed = FALSE,
		delivery = '', error_code = '', delivery_at = NULL WHERE id = $3`, nullText(providerID), ms(at), id)
	return affectedOne(tag, err, "mark sent: outbox", id)
}

// MarkRetry puts queued message id back, due at at, with reason kept as its
// last error (long numbers redacted, see redactReason). The attempt was
// counted when it was claimed.
func (s *Store) MarkRetry(ctx context.Context, id int64, at time.Time, reason string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET not_before = $1, leased_until = NULL, last_error = $2
		WHERE id = $3 AND status = 'queued'`, ms(at), text(redactReason(reason)), id)
	return s.queuedOne(ctx, tag, err, "mark retry", id)
}

// MarkFailed gives up on queued message id: it stays in the outbox with
// status failed and reason (long numbers redacted) as its last error, and
// the contact's next message can go.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET status = 'failed', last_error = $1, failed_at = $2,
		leased_until = NULL WHERE id = $3 AND status = 'queued'`, text(redactReason(reason)), ms(at), id)
	return s.queuedOne(ctx, tag, err, "mark failed", id)
}

// queuedOne reports an update of a queued outbox row: ErrNotFound when the
// row does not exist, an error naming the status when it is not queued.
func (s *Store) queuedOne(ctx context.Context, tag pgconn.CommandTag, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("%s: outbox %d: %w", what, id, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var status string
	err = s.pool.QueryRow(ctx, `SELECT status FROM outbox WHERE id = $1`, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: outbox %d: %w", what, id, bot.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("%s: outbox %d: %w", what, id, err)
	}
	return fmt.Errorf("%s: outbox %d is %s, not queued", what, id, status)
}
