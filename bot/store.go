package bot

import (
	"context"
	"errors"
	"time"
)

// Error kinds returned by stores and senders. Wrap them with %w.
var (
	// ErrNotFound: the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: an inbound message with this channel and provider id
	// was already recorded.
	ErrDuplicate = errors.New("duplicate inbound message")
)

// Store is where Passerelle keeps its state. SQLite (bot/sqlite) and
// PostgreSQL (bot/postgres) implement it and pass bot/storetest.
type Store interface {
	// InTx runs fn in one write transaction; fn's error rolls back.
	InTx(ctx context.Context, fn func(Tx) error) error
	// ClaimOutbox takes up to limit due messages (NotBefore <= now), oldest
	// first, at most one per contact at a time so order is kept, and leases
	// them until now+lease. Address is decrypted.
	ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Outbound, error)
	// MarkSent takes a message out of the queue (status sent, kept until
	// Purge) and records the provider id.
	MarkSent(ctx context.Context, id int64, providerID string, at time.Time) error
	// MarkSentBatch does what MarkSent does for each of sent, in one write:
	// the outbox worker records the sends that ended together at once. An
	// id that does not exist is an error, after the others are recorded.
	MarkSentBatch(ctx context.Context, sent []Sent) error
	// MarkRetry puts a message back for another attempt at the given time.
	MarkRetry(ctx context.Context, id int64, at time.Time, reason string) error
	// MarkFailed records a permanent failure with its reason.
	MarkFailed(ctx context.Context, id int64, reason string, at time.Time) error
	// MarkHeld keeps a queued message until its contact writes again (a
	// closed messaging window), holding back the contact's later replies;
	// providerID is what was sent instead (a template), if anything, and
	// reason what the console shows. RecordInbound releases it.
	MarkHeld(ctx context.Context, id int64, providerID, reason string, at time.Time) error
	// MarkWindowClosed puts a sent message the provider refused as outside
	// its messaging window back in the queue, due at at, with WindowClosed.
	MarkWindowClosed(ctx context.Context, id int64, at time.Time) error
	// RecordDelivery records a provider's report on a sent message and
	// returns the message; ErrNotFound for a provider id it does not know.
	RecordDelivery(ctx context.Context, d Delivery) (Outbound, error)
	// Outbox lists a conversation's replies, oldest first, with their
	// status, delivery report and last error (for the console).
	Outbox(ctx context.Context, conversationID int64) ([]Outbound, error)
	// Transcript returns a conversation's messages, oldest first.
	Transcript(ctx context.Context, conversationID int64) ([]Message, error)
	// OpenHandoffs lists handoffs that are not closed, urgent first then oldest.
	OpenHandoffs(ctx context.Context) ([]Handoff, error)
	// ReleaseClaims gives back the leases a stopping worker still holds:
	// each message in ids that is still queued and leased until exactly
	// leasedUntil (the lease that worker's claim set, so a lease another
	// worker took since is never touched) is due again at once, and the
	// attempt its claim counted is taken back. It returns how many it
	// released.
	ReleaseClaims(ctx context.Context, ids []int64, leasedUntil time.Time) (int64, error)
	// ReserveSends books n sends under key (a provider account or sender)
	// at rate r, with the GCRA theoretical arrival time kept in the
	// database, so that every process sharing it (PostgreSQL replicas)
	// counts against one rate. It returns how long after now the n sends
	// may go. When that is longer than maxWait nothing is booked, ok is false
	// and wait is how long until they could be. n must be 1 to r.Burst.
	// Reservations of several processes are serialised on the key's row,
	// so together they never exceed r over any window.
	ReserveSends(ctx context.Context, key string, n int, r Rate, now time.Time, maxWait time.Duration) (wait time.Duration, ok bool, err error)
	// OutboxStats measures the queue for monitoring.
	OutboxStats(ctx context.Context) (OutboxStats, error)
	// Purge deletes messages older than before and contacts left with nothing.
	Purge(ctx context.Context, before time.Time) (int64, error)
	// Ping tells whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Tx is one unit of work inside Store.InTx.
type Tx interface {
	// RecordInbound records an inbound message idempotently: it returns
	// ErrDuplicate when (channel, providerID) was seen before. It finds or
	// creates the contact (by HMAC key, address sealed) and its
	// conversation, and stores the message text in the transcript.
	// It seals and keeps in.Profile when given, and releases the
	// contact's held replies (the person wrote: the window is open).
	RecordInbound(ctx context.Context, in Inbound) (Contact, Conversation, error)
	// SaveConversation updates language, surface, campaign, state, counters.
	SaveConversation(ctx context.Context, c Conversation) error
	// SetContactFlags updates opt-out and blocked flags. Opting out or
	// blocking also fails the contact's queued replies (held ones too):
	// nothing already queued goes once the person said stop.
	SetContactFlags(ctx context.Context, contactID int64, optedOut, blocked bool) error
	// MarkBlocked sets the blocked flag of the contact with this channel and
	// address, as a provider reports it (Telegram my_chat_member). Blocking
	// also fails the contact's queued outbox, so nothing is sent while
	// blocked. It returns ErrNotFound when there is no such contact, and
	// creates none.
	MarkBlocked(ctx context.Context, ch Channel, address string, blocked bool) error
	// AddMessage appends a bot or caseworker message to the transcript.
	AddMessage(ctx context.Context, m Message) (Message, error)
	// Enqueue writes a reply to the outbox. ContactID, ConversationID,
	// Channel, Surface, Lang, Text and Options are used.
	Enqueue(ctx context.Context, o Outbound) (Outbound, error)
	// Reply does AddMessage(m) then Enqueue(o), in one round trip where
	// the database is across a network: the engine's every reply.
	Reply(ctx context.Context, m Message, o Outbound) error
	// OpenHandoff returns the conversation's open handoff, or ErrNotFound.
	OpenHandoff(ctx context.Context, conversationID int64) (Handoff, error)
	// CreateHandoff opens a handoff; when one is already open it returns
	// that one (raising it to urgent if h is urgent).
	CreateHandoff(ctx context.Context, h Handoff) (Handoff, error)
	// EnsureContact finds or creates the contact for (channel, address)
	// and its conversation without recording a message. The engine uses it
	// after DeleteContactData to confirm the deletion to the person: the
	// new contact holds nothing but the sealed address and is purged with
	// the retention period.
	EnsureContact(ctx context.Context, ch Channel, address string) (Contact, Conversation, error)
	// DeleteContactData erases the contact, its conversations, messages,
	// handoffs and pending outbox, keeping only the dedupe records.
	DeleteContactData(ctx context.Context, contactID int64) error
}

// Sent is one reply the provider accepted: the outbox row, the provider's
// id for it and when.
type Sent struct {
	ID         int64
	ProviderID string
	At         time.Time
}

// OutboxStats is the outbox queue as monitoring sees it.
type OutboxStats struct {
	// Queued counts messages waiting to be sent (retries included), not
	// those held for a closed messaging window.
	Queued int64
	// Held counts replies held until their contact writes again.
	Held int64
	// Oldest is when the oldest of the Queued messages was written; zero
	// when none is queued.
	Oldest time.Time
}
