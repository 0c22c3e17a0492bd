package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// purgeBatch is how many rows one Purge statement deletes, so that inbound
// messages wait for the writer a few milliseconds at most.
const purgeBatch = 500

// execer is what *sql.DB and *sql.Tx have in common for deletes.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// DeleteContactData erases the contact, its conversation, messages,
// handoffs and outbox rows (queued, sent or failed). The inbound dedupe
// rows stay, so a late redelivery of an old message is still ignored; they
// hold no link to the contact.
func (t *tx) DeleteContactData(ctx context.Context, contactID int64) error {
	n, err := deleteContacts(ctx, t.tx, []int64{contactID})
	if err != nil {
		return fmt.Errorf("delete contact %d: %w", contactID, err)
	}
	if n == 0 {
		return fmt.Errorf("delete contact %d: %w", contactID, bot.ErrNotFound)
	}
	return nil
}

// deleteContacts deletes the contacts ids and everything that hangs off
// them, children first. It returns how many contacts were deleted.
func deleteContacts(ctx context.Context, db execer, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	in := "(" + placeholders(len(ids)) + ")"
	convs := "(SELECT id FROM conversations WHERE contact_id IN " + in + ")"
	args := int64Args(ids)
	for _, q := range []string{
		"DELETE FROM outbox WHERE contact_id IN " + in,
		"DELETE FROM handoffs WHERE conversation_id IN " + convs,
		"DELETE FROM messages WHERE conversation_id IN " + convs,
		"DELETE FROM conversations WHERE contact_id IN " + in,
	} {
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return 0, err
		}
	}
	res, err := db.ExecContext(ctx, "DELETE FROM contacts WHERE id IN "+in, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Purge deletes what is older than before: messages, sent and failed
// outbox rows, replies held (for a closed window) since before it, closed
// handoffs and inbound dedupe rows; then contacts last
// seen before it that are left with no message, no open handoff and no
// queued reply, with their conversation and remaining rows. It works in
// batches of purgeBatch rows, each its own transaction, then checkpoints
// the write-ahead log so deleted text does not linger there. It returns the
// total number of rows deleted across these tables.
func (s *Store) Purge(ctx context.Context, before time.Time) (int64, error) {
	b := ms(before)
	var total int64
	for _, q := range []struct{ what, sql string }{
		{"messages", `DELETE FROM messages WHERE id IN
			(SELECT id FROM messages WHERE created_at < ? LIMIT ?)`},
		{"sent outbox", `DELETE FROM outbox WHERE id IN
			(SELECT id FROM outbox WHERE status = 'sent' AND sent_at < ? LIMIT ?)`},
		{"failed outbox", `DELETE FROM outbox WHERE id IN
			(SELECT id FROM outbox WHERE status = 'failed' AND failed_at < ? LIMIT ?)`},
		{"held outbox", `DELETE FROM outbox WHERE id IN
			(SELECT id FROM outbox WHERE status = 'queued' AND held_at < ? LIMIT ?)`},
		{"closed handoffs", `DELETE FROM handoffs WHERE id IN
			(SELECT id FROM handoffs WHERE status = 'closed' AND closed_at < ? LIMIT ?)`},
		{"dedupe", `DELETE FROM inbound_dedupe WHERE (channel, provider_id) IN
			(SELECT channel, provider_id FROM inbound_dedupe WHERE received_at < ? LIMIT ?)`},
		// A rate slot whose theoretical arrival time is past is full again:
		// deleting it changes nothing but the table's size (login
		// attempts write one per address and email tried).
		{"rate slots", `DELETE FROM send_rates WHERE key IN
			(SELECT key FROM send_rates WHERE tat_us < ? * 1000 LIMIT ?)`},
	} {
		for {
			res, err := s.exec(ctx, false, q.sql, b, purgeBatch)
			if err != nil {
				return total, fmt.Errorf("purge %s: %w", q.what, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return total, fmt.Errorf("purge %s: %w", q.what, err)
			}
			total += n
			if n < purgeBatch {
				break
			}
		}
	}
	n, err := s.purgeContacts(ctx, b)
	total += n
	if err != nil {
		return total, err
	}
	if _, err := s.exec(ctx, false, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return total, fmt.Errorf("purge: checkpoint: %w", err)
	}
	return total, nil
}

// staleContacts pages through contacts that Purge may delete, by id.
const staleContacts = `SELECT c.id FROM contacts c
	WHERE c.id > ? AND c.last_seen < ?
	  AND NOT EXISTS (SELECT 1 FROM conversations cv JOIN messages m ON m.conversation_id = cv.id
	                  WHERE cv.contact_id = c.id)
	  AND NOT EXISTS (SELECT 1 FROM conversations cv JOIN handoffs h ON h.conversation_id = cv.id
	                  WHERE cv.contact_id = c.id AND h.status <> 'closed')
	  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.contact_id = c.id AND o.status = 'queued')
	ORDER BY c.id LIMIT ?`

// purgeContacts deletes stale contacts batch by batch; it returns the
// number of rows deleted, contacts and what hung off them.
func (s *Store) purgeContacts(ctx context.Context, before int64) (int64, error) {
	var total, after int64
	for {
		var ids []int64
		err := s.write(ctx, func(t *sql.Tx) error {
			rows, err := t.QueryContext(ctx, staleContacts, after, before, purgeBatch)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			rows.Close()
			n, err := deleteContactsCounted(ctx, t, ids)
			total += n
			return err
		})
		if err != nil {
			return total, fmt.Errorf("purge contacts: %w", err)
		}
		if len(ids) < purgeBatch {
			return total, nil
		}
		after = ids[len(ids)-1]
	}
}

// deleteContactsCounted is deleteContacts counting every row it deletes.
func deleteContactsCounted(ctx context.Context, t *sql.Tx, ids []int64) (int64, error) {
	var total int64
	counter := countingExecer{t: t, n: &total}
	_, err := deleteContacts(ctx, counter, ids)
	if err != nil {
		return 0, err
	}
	return total, nil
}

// countingExecer adds up the rows its statements affect.
type countingExecer struct {
	t *sql.Tx
	n *int64
}

func (c countingExecer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := c.t.ExecContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, err
	}
	*c.n += n
	return res, nil
}
