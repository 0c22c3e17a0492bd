package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// purgeBatch is how many rows one Purge statement deletes, so that no
// transaction holds many locks or runs long beside live traffic.
const purgeBatch = 500

// DeleteContactData erases the contact, its conversation, messages,
// handoffs and outbox rows (queued, sent or failed). The inbound dedupe
// rows stay, so a late redelivery of an old message is still ignored; they
// hold no link to the contact.
func (t *tx) DeleteContactData(ctx context.Context, contactID int64) error {
	t.forgetHandoff()
	n, err := deleteContacts(ctx, t.tx, []int64{contactID}, nil)
	if err != nil {
		return fmt.Errorf("delete contact %d: %w", contactID, err)
	}
	if n == 0 {
		return fmt.Errorf("delete contact %d: %w", contactID, bot.ErrNotFound)
	}
	return nil
}

// deleteContacts deletes the contacts ids and everything that hangs off
// them, children first (the foreign keys would cascade, but explicit
// deletes let Purge count the rows). It returns how many contacts were
// deleted, and adds every row deleted to *rows when rows is not nil.
func deleteContacts(ctx context.Context, t querier, ids []int64, rows *int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	const convs = "(SELECT id FROM conversations WHERE contact_id = ANY($1))"
	var contacts int64
	for _, q := range []string{
		"DELETE FROM outbox WHERE contact_id = ANY($1)",
		"DELETE FROM handoffs WHERE conversation_id IN " + convs,
		"DELETE FROM messages WHERE conversation_id IN " + convs,
		"DELETE FROM conversations WHERE contact_id = ANY($1)",
		"DELETE FROM contacts WHERE id = ANY($1)",
	} {
		tag, err := t.Exec(ctx, q, ids)
		if err != nil {
			return 0, err
		}
		if rows != nil {
			*rows += tag.RowsAffected()
		}
		contacts = tag.RowsAffected() // the last statement's
	}
	return contacts, nil
}

// Purge deletes what is older than before: messages, sent and failed
// outbox rows, replies held (for a closed window) since before it, closed
// handoffs and inbound dedupe rows; then contacts last
// seen before it that are left with no message, no open handoff and no
// queued reply, with their conversation and remaining rows. It works in
// batches of purgeBatch rows, each its own transaction, and may run on
// several replicas at once. It returns the number of rows deleted across
// these tables.
func (s *Store) Purge(ctx context.Context, before time.Time) (int64, error) {
	b := ms(before)
	var total int64
	for _, q := range []struct{ what, sql string }{
		{"messages", `DELETE FROM messages WHERE id IN
			(SELECT id FROM messages WHERE created_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`},
		{"sent outbox", `DELETE FROM outbox WHERE id IN
			(SELECT id FROM outbox WHERE status = 'sent' AND sent_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`},
		{"failed outbox", `DELETE FROM outbox WHERE id IN
			(SELECT id FROM outbox WHERE status = 'failed' AND failed_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`},
		{"held outbox", `DELETE FROM outbox WHERE id IN
			(SELECT id FROM outbox WHERE status = 'queued' AND held_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`},
		{"closed handoffs", `DELETE FROM handoffs WHERE id IN
			(SELECT id FROM handoffs WHERE status = 'closed' AND closed_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`},
		{"dedupe", `DELETE FROM inbound_dedupe WHERE (channel, provider_id) IN
			(SELECT channel, provider_id FROM inbound_dedupe WHERE received_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`},
		// A rate slot whose theoretical arrival time is past is full again:
		// deleting it changes nothing but the table's size (login
		// attempts write one per address and email tried).
		{"rate slots", `DELETE FROM send_rates WHERE key IN
			(SELECT key FROM send_rates WHERE tat_us < $1::bigint * 1000 LIMIT $2 FOR UPDATE SKIP LOCKED)`},
	} {
		for {
			tag, err := s.pool.Exec(ctx, q.sql, b, purgeBatch)
			if err != nil {
				return total, fmt.Errorf("purge %s: %w", q.what, err)
			}
			total += tag.RowsAffected()
			if tag.RowsAffected() < purgeBatch {
				break
			}
		}
	}
	n, err := s.purgeContacts(ctx, b)
	total += n
	return total, err
}

// staleCond is what makes contact c deletable by Purge.
const staleCond = `c.last_seen < $2
	  AND NOT EXISTS (SELECT 1 FROM conversations cv JOIN messages m ON m.conversation_id = cv.id
	                  WHERE cv.contact_id = c.id)
	  AND NOT EXISTS (SELECT 1 FROM conversations cv JOIN handoffs h ON h.conversation_id = cv.id
	                  WHERE cv.contact_id = c.id AND h.status <> 'closed')
	  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.contact_id = c.id AND o.status = 'queued')`

// purgeContacts deletes stale contacts batch by batch; it returns the
// number of rows deleted, contacts and what hung off them.
//
// Each batch locks its contacts first (skipping those a transaction holds:
// someone is writing), then checks again in a new statement, which sees
// every commit made before the locks were taken: a message recorded in
// between keeps its contact. Later writers wait for the batch's commit and
// then find no contact (RecordInbound creates a new one).
func (s *Store) purgeContacts(ctx context.Context, before int64) (int64, error) {
	var total, after int64
	for {
		var ids []int64
		var deleted int64
		err := s.write(ctx, func(t pgx.Tx) error {
			ids, deleted = ids[:0], 0
			rows, err := t.Query(ctx, `SELECT c.id FROM contacts c WHERE c.id > $1 AND `+staleCond+`
				ORDER BY c.id LIMIT $3 FOR UPDATE OF c SKIP LOCKED`, after, before, purgeBatch)
			if err != nil {
				return err
			}
			locked, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			ids = locked
			if len(locked) == 0 {
				return nil
			}
			if _, err := t.Exec(ctx, `SELECT 1 FROM conversations WHERE contact_id = ANY($1) FOR UPDATE`, locked); err != nil {
				return err
			}
			rows, err = t.Query(ctx, `SELECT c.id FROM contacts c WHERE c.id = ANY($1) AND `+staleCond,
				locked, before)
			if err != nil {
				return err
			}
			stale, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			_, err = deleteContacts(ctx, t, stale, &deleted)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("purge contacts: %w", err)
		}
		total += deleted
		if len(ids) < purgeBatch {
			return total, nil
		}
		after = ids[len(ids)-1]
	}
}
