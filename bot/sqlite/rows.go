package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

// ms stores t as UTC unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// nullMS stores a zero time as NULL.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMS reads UTC unix milliseconds.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// fromNullMS reads NULL as the zero time.
func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// orNow is t to the millisecond in UTC, or now when t is zero.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC().Truncate(time.Millisecond)
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// int64Args turns ids into query arguments.
func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

const conversationCols = `id, contact_id, lang, lang_set, surface, campaign, state, unanswered, updated_at`

func scanConversation(row scanner) (bot.Conversation, error) {
	var (
		c       bot.Conversation
		state   string
		updated int64
	)
	err := row.Scan(&c.ID, &c.ContactID, &c.Lang, &c.LangSet, &c.Surface, &c.Campaign, &state, &c.Unanswered, &updated)
	if err != nil {
		return bot.Conversation{}, err
	}
	if err := json.Unmarshal([]byte(state), &c.State); err != nil {
		return bot.Conversation{}, fmt.Errorf("conversation %d state: %w", c.ID, err)
	}
	c.UpdatedAt = fromMS(updated)
	return c, nil
}

const messageCols = `id, conversation_id, direction, text, topic, created_at`

func scanMessage(row scanner) (bot.Message, error) {
	var (
		m       bot.Message
		created int64
	)
	if err := row.Scan(&m.ID, &m.ConversationID, &m.Direction, &m.Text, &m.Topic, &created); err != nil {
		return bot.Message{}, err
	}
	m.CreatedAt = fromMS(created)
	return m, nil
}

const handoffCols = `id, conversation_id, status, urgent, reason, summary, caseworker_id, created_at, closed_at`

func scanHandoff(row scanner) (bot.Handoff, error) {
	var (
		h          bot.Handoff
		caseworker sql.NullInt64
		created    int64
		closed     sql.NullInt64
	)
	err := row.Scan(&h.ID, &h.ConversationID, &h.Status, &h.Urgent, &h.Reason, &h.Summary, &caseworker, &created, &closed)
	if err != nil {
		return bot.Handoff{}, err
	}
	h.CaseworkerID = caseworker.Int64
	h.CreatedAt = fromMS(created)
	h.ClosedAt = fromNullMS(closed)
	return h, nil
}
