package postgres

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/bot"
)

// scanner is what pgx.Row and pgx.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

// ms stores t as UTC unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS reads UTC unix milliseconds.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// fromNullMS reads NULL as the zero time.
func fromNullMS(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return fromMS(*v)
}

// orNow is t to the millisecond in UTC, or now when t is zero.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC().Truncate(time.Millisecond)
}

// nullText stores "" as NULL, and the rest as text PostgreSQL accepts.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return text(s)
}

// text makes s storable in a PostgreSQL text column: invalid UTF-8 and NUL,
// which PostgreSQL refuses, become U+FFFD. Valid text is returned as is.
func text[S ~string](s S) string {
	v := string(s)
	if utf8.ValidString(v) && strings.IndexByte(v, 0) < 0 {
		return v
	}
	return strings.ReplaceAll(strings.ToValidUTF8(v, "\uFFFD"), "\x00", "\uFFFD")
}

// jsonText marshals v for a JSONB column. encoding/json already replaces
// invalid UTF-8; the escape \u0000, which JSONB refuses, becomes \ufffd.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if !bytes.Contains(b, []byte(`\u0000`)) {
		return string(b), nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		// An escape: copy it whole, so an escaped backslash followed by
		// "u0000" is left alone.
		if bytes.HasPrefix(b[i:], []byte(`\u0000`)) {
			out = append(out, `\ufffd`...)
			i += len(`\u0000`) - 1
			continue
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return string(out), nil
}

const conversationCols = `id, contact_id, lang, lang_set, surface, campaign, state, unanswered, updated_at`

func scanConversation(row scanner) (bot.Conversation, error) {
	var (
		c       bot.Conversation
		state   []byte
		updated int64
	)
	err := row.Scan(&c.ID, &c.ContactID, &c.Lang, &c.LangSet, &c.Surface, &c.Campaign, &state, &c.Unanswered, &updated)
	if err != nil {
		return bot.Conversation{}, err
	}
	if err := json.Unmarshal(state, &c.State); err != nil {
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
		caseworker *int64
		created    int64
		closed     *int64
	)
	err := row.Scan(&h.ID, &h.ConversationID, &h.Status, &h.Urgent, &h.Reason, &h.Summary, &caseworker, &created, &closed)
	if err != nil {
		return bot.Handoff{}, err
	}
	if caseworker != nil {
		h.CaseworkerID = *caseworker
	}
	h.CreatedAt = fromMS(created)
	h.ClosedAt = fromNullMS(closed)
	return h, nil
}
