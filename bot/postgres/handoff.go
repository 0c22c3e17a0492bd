package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// OpenHandoff returns the conversation's handoff that is not closed, or an
// error wrapping bot.ErrNotFound.
func (t *tx) OpenHandoff(ctx context.Context, conversationID int64) (bot.Handoff, error) {
	if r := t.handoff; r != nil && r.conversationID == conversationID {
		if !r.found {
			return bot.Handoff{}, fmt.Errorf("open handoff: conversation %d: %w", conversationID, bot.ErrNotFound)
		}
		return r.h, nil
	}
	h, err := scanHandoff(t.tx.QueryRow(ctx, `SELECT `+handoffCols+` FROM handoffs
		WHERE conversation_id = $1 AND status <> 'closed'`, conversationID))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Handoff{}, fmt.Errorf("open handoff: conversation %d: %w", conversationID, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Handoff{}, fmt.Errorf("open handoff: conversation %d: %w", conversationID, err)
	}
	return h, nil
}

// CreateHandoff opens a handoff for h.ConversationID with h's status
// (waiting when empty), urgency, reason, summary and caseworker. When one
// is already open it is returned unchanged, except that an urgent h makes
// it urgent; its reason and summary stay those of the first request. Two
// replicas opening one at once get the same handoff (the unique index on
// open handoffs decides).
func (t *tx) CreateHandoff(ctx context.Context, h bot.Handoff) (bot.Handoff, error) {
	switch h.Status {
	case "":
		h.Status = bot.HandoffWaiting
	case bot.HandoffWaiting, bot.HandoffAssigned:
	default:
		return bot.Handoff{}, fmt.Errorf("create handoff: cannot open a handoff as %q", h.Status)
	}
	t.forgetHandoff()
	var one int
	err := t.tx.QueryRow(ctx, `SELECT 1 FROM conversations WHERE id = $1`, h.ConversationID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Handoff{}, fmt.Errorf("create handoff: conversation %d: %w", h.ConversationID, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Handoff{}, fmt.Errorf("create handoff: %w", err)
	}
	var caseworker *int64
	if h.CaseworkerID != 0 {
		caseworker = &h.CaseworkerID
	}
	out, err := scanHandoff(t.tx.QueryRow(ctx, `INSERT INTO handoffs
		(conversation_id, status, urgent, reason, summary, caseworker_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (conversation_id) WHERE status <> 'closed'
		DO UPDATE SET urgent = handoffs.urgent OR excluded.urgent
		RETURNING `+handoffCols,
		h.ConversationID, text(h.Status), h.Urgent, text(h.Reason), text(h.Summary), caseworker,
		ms(orNow(h.CreatedAt, t.s.now()))))
	if err != nil {
		return bot.Handoff{}, fmt.Errorf("create handoff: %w", err)
	}
	return out, nil
}

// AssignHandoff gives open handoff id to a caseworker (status assigned).
// It is not part of bot.Tx yet; the console and bot/storetest reach it
// through an interface.
func (t *tx) AssignHandoff(ctx context.Context, id, caseworkerID int64) error {
	t.forgetHandoff()
	tag, err := t.tx.Exec(ctx, `UPDATE handoffs SET status = 'assigned', caseworker_id = $1
		WHERE id = $2 AND status <> 'closed'`, caseworkerID, id)
	return affectedOne(tag, err, "assign handoff", id)
}

// CloseHandoff closes open handoff id at at. It is not part of bot.Tx yet;
// the console and bot/storetest reach it through an interface.
func (t *tx) CloseHandoff(ctx context.Context, id int64, at time.Time) error {
	t.forgetHandoff()
	tag, err := t.tx.Exec(ctx, `UPDATE handoffs SET status = 'closed', closed_at = $1
		WHERE id = $2 AND status <> 'closed'`, ms(orNow(at, t.s.now())), id)
	return affectedOne(tag, err, "close handoff", id)
}

// OpenHandoffs lists the handoffs that are not closed, urgent first, then
// oldest first.
func (s *Store) OpenHandoffs(ctx context.Context) ([]bot.Handoff, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+handoffCols+` FROM handoffs
		WHERE status <> 'closed' ORDER BY urgent DESC, created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("open handoffs: %w", err)
	}
	defer rows.Close()
	var out []bot.Handoff
	for rows.Next() {
		h, err := scanHandoff(rows)
		if err != nil {
			return nil, fmt.Errorf("open handoffs: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open handoffs: %w", err)
	}
	return out, nil
}

// Transcript returns the conversation's messages in the order they were
// recorded. A conversation with no message left gives an empty list; one
// that does not exist gives an error wrapping bot.ErrNotFound.
func (s *Store) Transcript(ctx context.Context, conversationID int64) ([]bot.Message, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+messageCols+` FROM messages
		WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("transcript %d: %w", conversationID, err)
	}
	defer rows.Close()
	out := []bot.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("transcript %d: %w", conversationID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transcript %d: %w", conversationID, err)
	}
	if len(out) == 0 {
		var one int
		err := s.pool.QueryRow(ctx, `SELECT 1 FROM conversations WHERE id = $1`, conversationID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("transcript %d: %w", conversationID, bot.ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("transcript %d: %w", conversationID, err)
		}
	}
	return out, nil
}
