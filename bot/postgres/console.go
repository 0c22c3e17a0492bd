package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
)

var (
	_ bot.ConsoleStore = (*Store)(nil)
	_ bot.HandoffTx    = (*tx)(nil)
)

const caseworkerCols = `id, email, name, languages, role, password_hash, disabled, created_at`

func scanCaseworker(row scanner) (bot.Caseworker, error) {
	var (
		c       bot.Caseworker
		langs   string
		created int64
	)
	if err := row.Scan(&c.ID, &c.Email, &c.Name, &langs, &c.Role, &c.PasswordHash, &c.Disabled, &created); err != nil {
		return bot.Caseworker{}, err
	}
	c.Languages = splitLangs(langs)
	c.CreatedAt = fromMS(created)
	return c, nil
}

func splitLangs(s string) []string {
	var out []string
	for _, l := range strings.Split(s, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// CreateCaseworker adds a console account; the email is stored lower-case.
// A taken email, even by an account created at the same moment on another
// replica, gives an error wrapping bot.ErrConflict.
func (s *Store) CreateCaseworker(ctx context.Context, c bot.Caseworker) (bot.Caseworker, error) {
	if c.Role == "" {
		c.Role = bot.RoleCaseworker
	}
	email := strings.ToLower(strings.TrimSpace(c.Email))
	out, err := scanCaseworker(s.pool.QueryRow(ctx, `INSERT INTO caseworkers
		(email, name, languages, role, password_hash, disabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING RETURNING `+caseworkerCols,
		text(email), text(c.Name), text(strings.Join(c.Languages, ",")), text(c.Role), c.PasswordHash, c.Disabled,
		ms(orNow(c.CreatedAt, s.now()))))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Caseworker{}, fmt.Errorf("create caseworker: %w: email already used", bot.ErrConflict)
	}
	if err != nil {
		return bot.Caseworker{}, fmt.Errorf("create caseworker: %w", err)
	}
	return out, nil
}

// CaseworkerByEmail finds an account by email, whatever its case.
func (s *Store) CaseworkerByEmail(ctx context.Context, email string) (bot.Caseworker, error) {
	c, err := scanCaseworker(s.pool.QueryRow(ctx, `SELECT `+caseworkerCols+` FROM caseworkers
		WHERE email = $1`, text(strings.ToLower(strings.TrimSpace(email)))))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Caseworker{}, fmt.Errorf("caseworker by email: %w", bot.ErrNotFound)
	}
	if err != nil {
		return bot.Caseworker{}, fmt.Errorf("caseworker by email: %w", err)
	}
	return c, nil
}

// Caseworkers lists every account by name.
func (s *Store) Caseworkers(ctx context.Context) ([]bot.Caseworker, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+caseworkerCols+` FROM caseworkers ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("caseworkers: %w", err)
	}
	defer rows.Close()
	var out []bot.Caseworker
	for rows.Next() {
		c, err := scanCaseworker(rows)
		if err != nil {
			return nil, fmt.Errorf("caseworkers: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateSession records a login, and drops expired ones. Sessions live in
// the database, so a caseworker's login works on every replica.
func (s *Store) CreateSession(ctx context.Context, ses bot.Session) error {
	return s.write(ctx, func(t pgx.Tx) error {
		now := orNow(ses.CreatedAt, s.now())
		if _, err := t.Exec(ctx, `DELETE FROM console_sessions WHERE expires_at <= $1`, ms(now)); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		_, err := t.Exec(ctx, `INSERT INTO console_sessions (token_hash, caseworker_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`, text(ses.TokenHash), ses.CaseworkerID, ms(now), ms(ses.ExpiresAt))
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionCaseworker returns the enabled caseworker of an unexpired session.
func (s *Store) SessionCaseworker(ctx context.Context, tokenHash string, now time.Time) (bot.Caseworker, error) {
	c, err := scanCaseworker(s.pool.QueryRow(ctx, `SELECT c.id, c.email, c.name, c.languages, c.role,
		c.password_hash, c.disabled, c.created_at FROM console_sessions s JOIN caseworkers c ON c.id = s.caseworker_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT c.disabled`, text(tokenHash), ms(now)))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Caseworker{}, fmt.Errorf("session: %w", bot.ErrNotFound)
	}
	if err != nil {
		return bot.Caseworker{}, fmt.Errorf("session: %w", err)
	}
	return c, nil
}

// DeleteSession ends a login.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM console_sessions WHERE token_hash = $1`, text(tokenHash)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

const queueCols = `h.id, h.conversation_id, h.status, h.urgent, h.reason, h.summary, h.caseworker_id,
	h.created_at, h.closed_at, v.lang, k.channel, v.campaign, COALESCE(w.name, '')`

const queueFrom = ` FROM handoffs h JOIN conversations v ON v.id = h.conversation_id
	JOIN contacts k ON k.id = v.contact_id LEFT JOIN caseworkers w ON w.id = h.caseworker_id`

func scanQueueItem(row scanner) (bot.QueueItem, error) {
	var (
		q       bot.QueueItem
		cw      *int64
		created int64
		closed  *int64
	)
	err := row.Scan(&q.ID, &q.ConversationID, &q.Status, &q.Urgent, &q.Reason, &q.Summary, &cw,
		&created, &closed, &q.Lang, &q.Channel, &q.Campaign, &q.CaseworkerName)
	if err != nil {
		return bot.QueueItem{}, err
	}
	if cw != nil {
		q.CaseworkerID = *cw
	}
	q.CreatedAt = fromMS(created)
	q.ClosedAt = fromNullMS(closed)
	return q, nil
}

// Queue lists open handoffs, urgent first then oldest.
func (s *Store) Queue(ctx context.Context) ([]bot.QueueItem, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+queueCols+queueFrom+`
		WHERE h.status <> 'closed' ORDER BY h.urgent DESC, h.created_at, h.id`)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	defer rows.Close()
	out := []bot.QueueItem{}
	for rows.Next() {
		q, err := scanQueueItem(rows)
		if err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return out, nil
}

// HandoffByID returns one handoff with its conversation's details.
func (s *Store) HandoffByID(ctx context.Context, id int64) (bot.QueueItem, error) {
	q, err := scanQueueItem(s.pool.QueryRow(ctx, `SELECT `+queueCols+queueFrom+` WHERE h.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.QueueItem{}, fmt.Errorf("handoff %d: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return bot.QueueItem{}, fmt.Errorf("handoff %d: %w", id, err)
	}
	return q, nil
}

// ConversationByID returns a conversation and its contact, address sealed.
func (s *Store) ConversationByID(ctx context.Context, id int64) (bot.Conversation, bot.Contact, error) {
	conv, err := scanConversation(s.pool.QueryRow(ctx, `SELECT `+conversationCols+` FROM conversations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Conversation{}, bot.Contact{}, fmt.Errorf("conversation %d: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Conversation{}, bot.Contact{}, fmt.Errorf("conversation %d: %w", id, err)
	}
	var (
		c             bot.Contact
		created, seen int64
	)
	err = s.pool.QueryRow(ctx, `SELECT id, channel, lookup_key, opted_out, blocked, created_at, last_seen
		FROM contacts WHERE id = $1`, conv.ContactID).Scan(&c.ID, &c.Channel, &c.Key, &c.OptedOut, &c.Blocked, &created, &seen)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Conversation{}, bot.Contact{}, fmt.Errorf("conversation %d: contact: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Conversation{}, bot.Contact{}, fmt.Errorf("conversation %d: contact: %w", id, err)
	}
	c.CreatedAt, c.LastSeen = fromMS(created), fromMS(seen)
	return conv, c, nil
}

// RevealAddress decrypts the conversation's contact address and logs the
// reveal, in one transaction: no reveal without its audit entry.
func (s *Store) RevealAddress(ctx context.Context, conversationID, caseworkerID int64, at time.Time) (string, error) {
	var addr string
	err := s.write(ctx, func(t pgx.Tx) error {
		var sealed []byte
		err := t.QueryRow(ctx, `SELECT k.address_sealed FROM conversations v JOIN contacts k ON k.id = v.contact_id
			WHERE v.id = $1`, conversationID).Scan(&sealed)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("reveal address: conversation %d: %w", conversationID, bot.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("reveal address: %w", err)
		}
		plain, err := s.keys.Open(sealed)
		if err != nil {
			return fmt.Errorf("reveal address: %w", err)
		}
		if err := audit(ctx, t, bot.AuditEntry{CaseworkerID: caseworkerID, Action: "reveal",
			ConversationID: conversationID, At: orNow(at, s.now())}); err != nil {
			return fmt.Errorf("reveal address: %w", err)
		}
		addr = string(plain)
		return nil
	})
	return addr, err
}

// Notes lists a conversation's private notes, oldest first.
func (s *Store) Notes(ctx context.Context, conversationID int64) ([]bot.Note, error) {
	rows, err := s.pool.Query(ctx, `SELECT n.id, n.conversation_id, n.caseworker_id, COALESCE(c.name, ''), n.text, n.created_at
		FROM handoff_notes n LEFT JOIN caseworkers c ON c.id = n.caseworker_id
		WHERE n.conversation_id = $1 ORDER BY n.id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	defer rows.Close()
	var out []bot.Note
	for rows.Next() {
		var (
			n  bot.Note
			at int64
		)
		if err := rows.Scan(&n.ID, &n.ConversationID, &n.CaseworkerID, &n.Author, &n.Text, &at); err != nil {
			return nil, fmt.Errorf("notes: %w", err)
		}
		n.CreatedAt = fromMS(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// AddNote records a private note.
func (s *Store) AddNote(ctx context.Context, n bot.Note) (bot.Note, error) {
	n.CreatedAt = orNow(n.CreatedAt, s.now())
	err := s.pool.QueryRow(ctx, `INSERT INTO handoff_notes (conversation_id, caseworker_id, text, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, n.ConversationID, n.CaseworkerID, text(n.Text), ms(n.CreatedAt)).Scan(&n.ID)
	if err != nil {
		return bot.Note{}, fmt.Errorf("add note: %w", err)
	}
	return n, nil
}

func audit(ctx context.Context, t pgx.Tx, e bot.AuditEntry) error {
	_, err := t.Exec(ctx, `INSERT INTO console_audit (caseworker_id, action, conversation_id, detail, at)
		VALUES ($1, $2, $3, $4, $5)`, e.CaseworkerID, text(e.Action), e.ConversationID, text(e.Detail), ms(e.At))
	return err
}

// Audit records a console action.
func (s *Store) Audit(ctx context.Context, e bot.AuditEntry) error {
	e.At = orNow(e.At, s.now())
	if err := s.write(ctx, func(t pgx.Tx) error { return audit(ctx, t, e) }); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog lists the latest limit entries, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]bot.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.id, a.caseworker_id, COALESCE(c.email, ''), a.action,
		a.conversation_id, a.detail, a.at FROM console_audit a LEFT JOIN caseworkers c ON c.id = a.caseworker_id
		ORDER BY a.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []bot.AuditEntry
	for rows.Next() {
		var (
			e  bot.AuditEntry
			at int64
		)
		if err := rows.Scan(&e.ID, &e.CaseworkerID, &e.Actor, &e.Action, &e.ConversationID, &e.Detail, &at); err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ClaimHandoff gives waiting handoff id to caseworkerID. When it is not
// waiting (another caseworker, maybe on another replica, was first: the
// second UPDATE waits for the first and then finds it assigned) it returns
// bot.ErrConflict.
func (t *tx) ClaimHandoff(ctx context.Context, id, caseworkerID int64) error {
	t.forgetHandoff()
	tag, err := t.tx.Exec(ctx, `UPDATE handoffs SET status = 'assigned', caseworker_id = $1
		WHERE id = $2 AND status = 'waiting'`, caseworkerID, id)
	if err := affectedOne(tag, err, "claim handoff", id); errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("claim handoff %d: %w", id, bot.ErrConflict)
	} else if err != nil {
		return err
	}
	return nil
}

// ReleaseHandoff puts assigned handoff id back in the queue.
func (t *tx) ReleaseHandoff(ctx context.Context, id int64) error {
	t.forgetHandoff()
	tag, err := t.tx.Exec(ctx, `UPDATE handoffs SET status = 'waiting', caseworker_id = NULL
		WHERE id = $1 AND status = 'assigned'`, id)
	return affectedOne(tag, err, "release handoff", id)
}
