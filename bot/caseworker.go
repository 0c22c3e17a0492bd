package bot

import (
	"context"
	"errors"
	"time"
)

// ErrConflict: the change lost a race or breaks a rule of the current
// state (a handoff already claimed by someone else, an email already used).
var ErrConflict = errors.New("conflict")

// Caseworker roles.
const (
	RoleCaseworker = "caseworker"
	RoleAdmin      = "admin"
)

// Caseworker is a console account. PasswordHash is a bcrypt hash.
type Caseworker struct {
	ID           int64
	Email        string
	Name         string
	Languages    []string // language codes the caseworker reads, best first
	Role         string   // RoleCaseworker or RoleAdmin
	PasswordHash []byte
	Disabled     bool
	CreatedAt    time.Time
}

// Session is a console login. TokenHash is the SHA-256 of the cookie's
// token, hex-encoded: the database never holds a usable token.
type Session struct {
	TokenHash    string
	CaseworkerID int64
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// QueueItem is one open handoff as the console's queue lists it.
type QueueItem struct {
	Handoff
	Lang     string
	Channel  Channel
	Campaign string
	// CaseworkerName is who holds it, when assigned.
	CaseworkerName string
}

// Note is a caseworker's private note on a conversation: never sent.
type Note struct {
	ID             int64
	ConversationID int64
	CaseworkerID   int64
	Author         string // caseworker's name, filled when listed
	Text           string
	CreatedAt      time.Time
}

// AuditEntry is one logged console action: who did what to which
// conversation, and when. Detail never holds an address.
type AuditEntry struct {
	ID             int64
	CaseworkerID   int64
	Actor          string // caseworker's email, filled when listed
	Action         string // login, view, claim, release, reply, article, close, reveal, note...
	ConversationID int64
	Detail         string
	At             time.Time
}

// ConsoleStore is what the caseworker console needs beyond Store: accounts,
// sessions, the queue, notes, the audit log and the explicit reveal of an
// address. The SQLite store implements it; PostgreSQL does not yet.
// Handoff changes (claim, release, close) go through InTx and HandoffTx.
type ConsoleStore interface {
	Store
	// CreateCaseworker adds an account; ErrConflict when the email is taken.
	CreateCaseworker(ctx context.Context, c Caseworker) (Caseworker, error)
	// CaseworkerByEmail finds an account by email (case-insensitive).
	CaseworkerByEmail(ctx context.Context, email string) (Caseworker, error)
	// Caseworkers lists every account, by name.
	Caseworkers(ctx context.Context) ([]Caseworker, error)
	// SetCaseworkerDisabled disables (ending its sessions) or enables an
	// account.
	SetCaseworkerDisabled(ctx context.Context, id int64, disabled bool) error
	// CreateSession records a login.
	CreateSession(ctx context.Context, s Session) error
	// SessionCaseworker returns the enabled caseworker of an unexpired
	// session, or ErrNotFound.
	SessionCaseworker(ctx context.Context, tokenHash string, now time.Time) (Caseworker, error)
	// DeleteSession ends a login (no error when it is already gone).
	DeleteSession(ctx context.Context, tokenHash string) error
	// Queue lists open handoffs with their conversation's language and
	// channel, urgent first then oldest.
	Queue(ctx context.Context) ([]QueueItem, error)
	// HandoffByID returns one handoff, open or closed.
	HandoffByID(ctx context.Context, id int64) (QueueItem, error)
	// ConversationByID returns a conversation and its contact (address not
	// decrypted).
	ConversationByID(ctx context.Context, id int64) (Conversation, Contact, error)
	// RevealAddress decrypts the conversation's contact address and logs
	// the reveal by caseworkerID in the audit log, in one transaction.
	RevealAddress(ctx context.Context, conversationID, caseworkerID int64, at time.Time) (string, error)
	// Notes lists a conversation's private notes, oldest first.
	Notes(ctx context.Context, conversationID int64) ([]Note, error)
	// AddNote records a private note.
	AddNote(ctx context.Context, n Note) (Note, error)
	// Audit records a console action.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog lists the latest limit entries, newest first.
	AuditLog(ctx context.Context, limit int) ([]AuditEntry, error)
}

// HandoffTx is what the console needs inside InTx to move a handoff; the
// SQLite store's Tx implements it.
type HandoffTx interface {
	Tx
	// ClaimHandoff gives waiting handoff id to caseworkerID; ErrConflict
	// when it is no longer waiting (someone else claimed it first).
	ClaimHandoff(ctx context.Context, id, caseworkerID int64) error
	// ReleaseHandoff puts assigned handoff id back to waiting.
	ReleaseHandoff(ctx context.Context, id int64) error
	// AssignHandoff gives open handoff id to caseworkerID (a transfer).
	AssignHandoff(ctx context.Context, id, caseworkerID int64) error
	// CloseHandoff closes open handoff id.
	CloseHandoff(ctx context.Context, id int64, at time.Time) error
}
