package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// replyQuery is AddMessage then Enqueue in one statement, so one round
// trip. target locks the contact row as Enqueue does, before either insert
// takes an id (the inserts read target), so a contact's replies are still
// numbered in commit order. Both inserts are skipped when $3 names a
// channel other than the contact's; the statement returns the contact's
// channel for the caller to report that, and no row for an unknown
// contact or conversation. Empty $3 and $4 take the contact's channel and
// the conversation's surface, as Enqueue does.
const replyQuery = `WITH target AS MATERIALIZED (
		SELECT c.channel, cv.surface
		FROM conversations cv JOIN contacts c ON c.id = cv.contact_id
		WHERE cv.id = $1::bigint AND c.id = $2::bigint
		FOR NO KEY UPDATE OF c
	), message AS (
		INSERT INTO messages (conversation_id, direction, text, topic, created_at)
		SELECT $1, $5::text, $6::text, $7::text, $8::bigint FROM target WHERE $3::text = '' OR channel = $3
	), queued AS (
		INSERT INTO outbox (contact_id, conversation_id, channel, surface, lang, text, options, not_before, status, created_at)
		SELECT $2, $1, channel, COALESCE(NULLIF($4::text, ''), surface), $9::text, $10::text, $11::jsonb,
			$12::bigint, 'queued', $13::bigint
		FROM target WHERE $3 = '' OR channel = $3
	)
	SELECT channel FROM target`

// Reply appends the bot's message to the transcript, then the reply to the
// outbox (bot.Tx), in one round trip: it does what AddMessage then Enqueue
// do, with their errors. A message for another conversation than the
// reply's (the engine never writes one) takes the two calls.
func (t *tx) Reply(ctx context.Context, m bot.Message, o bot.Outbound) error {
	if m.ConversationID != o.ConversationID {
		if _, err := t.AddMessage(ctx, m); err != nil {
			return err
		}
		_, err := t.Enqueue(ctx, o)
		return err
	}
	switch m.Direction {
	case bot.FromBot, bot.FromCaseworker, bot.FromPerson:
	default:
		return fmt.Errorf("reply: unknown direction %q", m.Direction)
	}
	if o.Text == "" {
		return errors.New("reply: empty text")
	}
	opts := "[]"
	if len(o.Options) > 0 {
		var err error
		if opts, err = jsonText(o.Options); err != nil {
			return fmt.Errorf("reply: options: %w", err)
		}
	}
	now := t.s.now()
	var ch bot.Channel
	err := t.tx.QueryRow(ctx, replyQuery, o.ConversationID, o.ContactID, text(o.Channel), text(o.Surface),
		text(m.Direction), text(m.Text), text(m.Topic), ms(orNow(m.CreatedAt, now)),
		text(o.Lang), text(o.Text), opts, ms(orNow(o.NotBefore, now)), ms(now)).Scan(&ch)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("reply: contact %d conversation %d: %w", o.ContactID, o.ConversationID, bot.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	if o.Channel != "" && text(o.Channel) != string(ch) {
		return fmt.Errorf("reply: channel %s for a %s contact", o.Channel, ch)
	}
	return nil
}

// MarkSentBatch records every send of sent as MarkSent does, in one
// statement (bot.Store). Ids it does not find are reported together, in
// an error wrapping bot.ErrNotFound, after the others are recorded.
func (s *Store) MarkSentBatch(ctx context.Context, sent []bot.Sent) error {
	if len(sent) == 0 {
		return nil
	}
	// An id given twice is recorded once, as the last of them says.
	ids := make([]int64, 0, len(sent))
	pids := make([]*string, 0, len(sent))
	ats := make([]int64, 0, len(sent))
	at := make(map[int64]int, len(sent))
	for _, x := range sent {
		var pid *string
		if x.ProviderID != "" {
			p := text(x.ProviderID)
			pid = &p
		}
		i, ok := at[x.ID]
		if !ok {
			i = len(ids)
			at[x.ID] = i
			ids, pids, ats = append(ids, x.ID), append(pids, nil), append(ats, 0)
		}
		pids[i], ats[i] = pid, ms(x.At)
	}
	marked, err := s.markSent(ctx, ids, pids, ats)
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	for _, id := range marked {
		delete(at, id)
	}
	if len(at) == 0 {
		return nil
	}
	var missing []string
	for _, id := range ids {
		if _, ok := at[id]; ok {
			missing = append(missing, fmt.Sprint(id))
		}
	}
	return fmt.Errorf("mark sent: outbox %s: %w", strings.Join(missing, ", "), bot.ErrNotFound)
}

// markSent is MarkSentBatch's statement; it returns the ids it updated.
// Unlike MarkSent's, it locks several rows, so it runs again (it is
// atomic) in the rare case PostgreSQL picks it as a deadlock's victim.
func (s *Store) markSent(ctx context.Context, ids []int64, pids []*string, ats []int64) ([]int64, error) {
	for attempt := 1; ; attempt++ {
		rows, err := s.pool.Query(ctx, `UPDATE outbox o SET status = 'sent', provider_id = x.pid, sent_at = x.at,
			leased_until = NULL, failed_at = NULL, held_at = NULL, window_closed = FALSE,
			delivery = '', error_code = '', delivery_at = NULL
			FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS x(id, pid, at)
			WHERE o.id = x.id RETURNING o.id`, ids, pids, ats)
		var marked []int64
		if err == nil {
			marked, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return marked, err
		}
	}
}
