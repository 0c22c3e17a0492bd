package postgres

import "github.com/passerelle-org/passerelle/bot"

// RecordInbound's two statements. It takes two round trips, not one,
// because PostgreSQL gives a READ COMMITTED statement one snapshot, taken
// when it starts: a statement that waited for the contact's row lock would
// still read the conversation as it was before the transaction it waited
// for, and lose that transaction's update. The first statement takes the
// lock; the second starts once it is held and reads the conversation then.

// recordContactQuery inserts the dedupe row, then finds or creates the
// contact by lookup key, moving last_seen forward and keeping the sealed
// profile when one is given; the upsert locks the contact row until the
// transaction ends. A (channel, provider id) seen before ($2) skips the
// upsert, so the statement writes nothing and returns no row. An empty $2
// is not deduplicated.
//
// The dedupe insert runs first, since the upsert reads its result: a
// concurrent redelivery waits for the first transaction, then finds its
// row if it committed, and records the message itself if it rolled back.
const recordContactQuery = `WITH seen AS (
		INSERT INTO inbound_dedupe (channel, provider_id, received_at)
		SELECT $1::text, $2::text, $3::bigint WHERE $2::text <> ''
		ON CONFLICT (channel, provider_id) DO NOTHING
		RETURNING 1
	)
	INSERT INTO contacts AS c (channel, lookup_key, address_sealed, profile_sealed, created_at, last_seen)
	SELECT $1, $4::text, $5::bytea, $6::bytea, $3, $3
	WHERE $2 = '' OR EXISTS (SELECT 1 FROM seen)
	ON CONFLICT (channel, lookup_key) DO UPDATE SET last_seen = GREATEST(c.last_seen, excluded.last_seen),
		profile_sealed = COALESCE(excluded.profile_sealed, c.profile_sealed)
	RETURNING id, opted_out, blocked, created_at, last_seen`

// recordMessageQuery finds contact $1's conversation or creates it (with
// surface $2, campaign $3, at $4), appends the inbound message to it, and
// makes the contact's held replies (and those refused for a closed window)
// due at $4: the person wrote, so the window is open again. It returns the
// conversation as it was before this message, then the columns of its
// open handoff (NULL when there is none), for OpenHandoff; no row in the
// case where a conversation was created by a transaction this one did not
// wait for (then nothing but the release is done).
const recordMessageQuery = `WITH found AS (
		SELECT ` + conversationCols + ` FROM conversations WHERE contact_id = $1::bigint
	), made AS (
		INSERT INTO conversations (contact_id, surface, campaign, state, created_at, updated_at)
		SELECT $1, $2::text, $3::text, '{}', $4::bigint, $4 WHERE NOT EXISTS (SELECT 1 FROM found)
		ON CONFLICT (contact_id) DO NOTHING
		RETURNING ` + conversationCols + `
	), conv AS (
		SELECT * FROM found UNION ALL SELECT * FROM made
	), message AS (
		INSERT INTO messages (conversation_id, direction, text, provider_id, created_at)
		SELECT id, $5::text, $6::text, $7::text, $8::bigint FROM conv
	), released AS (
		UPDATE outbox SET held_at = NULL, window_closed = FALSE, not_before = $4
		WHERE contact_id = $1 AND status = 'queued' AND (held_at IS NOT NULL OR window_closed)
	)
	SELECT conv.*, h.id, h.status, h.urgent, h.reason, h.summary, h.caseworker_id, h.created_at, h.closed_at
	FROM conv LEFT JOIN handoffs h ON h.conversation_id = conv.id AND h.status <> 'closed'`

// scanRecorded scans recordMessageQuery's row: the conversation, and the
// open handoff if there is one.
func scanRecorded(row scanner) (bot.Conversation, openHandoff, error) {
	var (
		id              *int64
		status          *bot.HandoffStatus
		urgent          *bool
		reason, summary *string
		caseworker      *int64
		created, closed *int64
	)
	conv, err := scanConversation(extraScan{row, []any{&id, &status, &urgent, &reason, &summary, &caseworker, &created, &closed}})
	if err != nil || id == nil {
		return conv, openHandoff{conversationID: conv.ID}, err
	}
	h := bot.Handoff{ID: *id, ConversationID: conv.ID, Status: *status, Urgent: *urgent, Reason: *reason,
		Summary: *summary, CreatedAt: fromNullMS(created), ClosedAt: fromNullMS(closed)}
	if caseworker != nil {
		h.CaseworkerID = *caseworker
	}
	return conv, openHandoff{conversationID: conv.ID, h: h, found: true}, nil
}

// extraScan scans a row into the destinations its caller gives, then
// into extra: a scan function reads the first columns of a longer row.
type extraScan struct {
	row   scanner
	extra []any
}

func (e extraScan) Scan(dest ...any) error { return e.row.Scan(append(dest, e.extra...)...) }
