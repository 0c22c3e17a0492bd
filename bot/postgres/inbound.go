package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/passerelle-org/passerelle/bot"
)

// tx is bot.Tx on one transaction.
type tx struct {
	s  *Store
	tx querier
	// handoff is the open handoff of a conversation as RecordInbound read
	// it, which spares the engine's next call, OpenHandoff, a round trip.
	// Every method that writes handoffs drops it (forgetHandoff).
	handoff *openHandoff
}

// openHandoff is what OpenHandoff would return for conversationID: h,
// or none when found is false.
type openHandoff struct {
	conversationID int64
	h              bot.Handoff
	found          bool
}

// forgetHandoff drops what RecordInbound read of the open handoff, before
// a write to handoffs makes it stale.
func (t *tx) forgetHandoff() { t.handoff = nil }

var _ bot.Tx = (*tx)(nil)

// RecordInbound records in idempotently (see bot.Tx).
//
// The dedupe row comes first: a (channel, provider id) seen before gives an
// error wrapping bot.ErrDuplicate and writes nothing. When two replicas
// receive the same message at once, the second insert waits for the first
// transaction: it finds the row if that one commits, and records the
// message itself if it rolls back. An empty ProviderID cannot be
// deduplicated, so such a message is always recorded as new.
//
// The contact row stays locked until the transaction ends (see the package
// comment). The message, the dedupe row and the contact's last_seen take
// in.ReceivedAt (or the store's clock when it is zero or in the future). A
// new conversation gets in.Surface (or the channel's usual surface) and
// in.Campaign. The returned Contact carries in.Address.
//
// It takes two round trips (recordContactQuery, then recordMessageQuery:
// see there why not one).
func (t *tx) RecordInbound(ctx context.Context, in bot.Inbound) (bot.Contact, bot.Conversation, error) {
	if in.Channel == "" || in.Address == "" {
		return bot.Contact{}, bot.Conversation{}, errors.New("record inbound: channel and address are required")
	}
	now := t.s.now()
	at := now
	if !in.ReceivedAt.IsZero() && in.ReceivedAt.Before(now) {
		at = in.ReceivedAt.UTC().Truncate(time.Millisecond)
	}
	sealed, err := t.s.keys.Seal([]byte(in.Address))
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: contact: %w", err)
	}
	var profile []byte
	if in.Profile != "" {
		if profile, err = t.s.keys.Seal([]byte(in.Profile)); err != nil {
			return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: profile: %w", err)
		}
	}
	c := bot.Contact{Channel: in.Channel, Key: t.s.keys.LookupKey(in.Channel, in.Address), Address: in.Address}
	var created, seen int64
	err = t.tx.QueryRow(ctx, recordContactQuery, text(in.Channel), text(in.ProviderID), ms(at), c.Key, sealed, profile).
		Scan(&c.ID, &c.OptedOut, &c.Blocked, &created, &seen)
	if errors.Is(err, pgx.ErrNoRows) && in.ProviderID != "" {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound %s message: %w", in.Channel, bot.ErrDuplicate)
	}
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: contact: %w", err)
	}
	c.CreatedAt, c.LastSeen = fromMS(created), fromMS(seen)
	surface := in.Surface
	if surface == "" {
		surface = defaultSurface(in.Channel)
	}
	conv, handoff, err := scanRecorded(t.tx.QueryRow(ctx, recordMessageQuery, c.ID, text(surface), text(in.Campaign), ms(now),
		text(bot.FromPerson), text(in.Text), nullText(in.ProviderID), ms(at)))
	if errors.Is(err, pgx.ErrNoRows) {
		// The conversation was created meanwhile, by a transaction that
		// did not hold the contact's lock: none does today.
		return t.recordInboundSlow(ctx, c, in, at, now)
	}
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: %w", err)
	}
	t.handoff = &handoff
	return c, conv, nil
}

// recordInboundSlow finishes RecordInbound when recordMessageQuery found
// no conversation to write to, one statement at a time.
func (t *tx) recordInboundSlow(ctx context.Context, c bot.Contact, in bot.Inbound, at, now time.Time) (bot.Contact, bot.Conversation, error) {
	conv, err := t.conversationFor(ctx, c.ID, in, now)
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: %w", err)
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, text, provider_id, created_at)
		VALUES ($1, $2, $3, $4, $5)`, conv.ID, text(bot.FromPerson), text(in.Text), nullText(in.ProviderID), ms(at))
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: message: %w", err)
	}
	return c, conv, nil
}

// upsertContact finds the contact by lookup key, or creates it with the
// address sealed, moves last_seen forward to at, and locks the row.
func (t *tx) upsertContact(ctx context.Context, ch bot.Channel, address string, at time.Time) (bot.Contact, error) {
	sealed, err := t.s.keys.Seal([]byte(address))
	if err != nil {
		return bot.Contact{}, fmt.Errorf("contact: %w", err)
	}
	c := bot.Contact{Channel: ch, Key: t.s.keys.LookupKey(ch, address), Address: address}
	var created, seen int64
	err = t.tx.QueryRow(ctx, `INSERT INTO contacts (channel, lookup_key, address_sealed, created_at, last_seen)
		VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (channel, lookup_key) DO UPDATE SET last_seen = GREATEST(contacts.last_seen, excluded.last_seen)
		RETURNING id, opted_out, blocked, created_at, last_seen`,
		text(ch), c.Key, sealed, ms(at)).Scan(&c.ID, &c.OptedOut, &c.Blocked, &created, &seen)
	if err != nil {
		return bot.Contact{}, fmt.Errorf("contact: %w", err)
	}
	c.CreatedAt, c.LastSeen = fromMS(created), fromMS(seen)
	return c, nil
}

// conversationFor returns the contact's conversation, creating it if needed.
func (t *tx) conversationFor(ctx context.Context, contactID int64, in bot.Inbound, now time.Time) (bot.Conversation, error) {
	get := func() (bot.Conversation, error) {
		return scanConversation(t.tx.QueryRow(ctx,
			`SELECT `+conversationCols+` FROM conversations WHERE contact_id = $1`, contactID))
	}
	conv, err := get()
	if err == nil {
		return conv, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return bot.Conversation{}, fmt.Errorf("conversation: %w", err)
	}
	surface := in.Surface
	if surface == "" {
		surface = defaultSurface(in.Channel)
	}
	conv = bot.Conversation{ContactID: contactID, Surface: surface, Campaign: in.Campaign, UpdatedAt: now}
	err = t.tx.QueryRow(ctx, `INSERT INTO conversations (contact_id, surface, campaign, state, created_at, updated_at)
		VALUES ($1, $2, $3, '{}', $4, $4) ON CONFLICT (contact_id) DO NOTHING RETURNING id`,
		contactID, text(surface), text(in.Campaign), ms(now)).Scan(&conv.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		// Created meanwhile (the contact row lock makes it rare).
		if conv, err = get(); err != nil {
			return bot.Conversation{}, fmt.Errorf("conversation: %w", err)
		}
		return conv, nil
	}
	if err != nil {
		return bot.Conversation{}, fmt.Errorf("new conversation: %w", err)
	}
	return conv, nil
}

// defaultSurface is the surface replies on channel ch are fitted to when
// the inbound message does not say: the web simulator defaults to Telegram.
func defaultSurface(ch bot.Channel) bot.Surface {
	switch ch {
	case bot.ChannelSMS:
		return bot.SurfaceSMS
	case bot.ChannelWhatsApp:
		return bot.SurfaceWhatsApp
	}
	return bot.SurfaceTelegram
}

// SaveConversation updates the conversation's language, surface, campaign,
// state and unanswered counter; UpdatedAt becomes the store's clock.
func (t *tx) SaveConversation(ctx context.Context, c bot.Conversation) error {
	state, err := jsonText(c.State)
	if err != nil {
		return fmt.Errorf("save conversation %d: state: %w", c.ID, err)
	}
	tag, err := t.tx.Exec(ctx, `UPDATE conversations
		SET lang = $1, lang_set = $2, surface = $3, campaign = $4, state = $5, unanswered = $6, updated_at = $7
		WHERE id = $8`,
		text(c.Lang), c.LangSet, text(c.Surface), text(c.Campaign), state, c.Unanswered, ms(t.s.now()), c.ID)
	return affectedOne(tag, err, "save conversation", c.ID)
}

// SetContactFlags updates the contact's opt-out and blocked flags.
// Opting out or blocking fails the contact's queued replies, held ones
// included, so that nothing already queued goes after a STOP.
func (t *tx) SetContactFlags(ctx context.Context, contactID int64, optedOut, blocked bool) error {
	tag, err := t.tx.Exec(ctx, `UPDATE contacts SET opted_out = $1, blocked = $2 WHERE id = $3`,
		optedOut, blocked, contactID)
	if err := affectedOne(tag, err, "set contact flags", contactID); err != nil || (!optedOut && !blocked) {
		return err
	}
	reason := "contact opted out"
	if blocked {
		reason = "contact blocked the bot"
	}
	_, err = t.tx.Exec(ctx, `UPDATE outbox SET status = 'failed', last_error = $1, failed_at = $2,
		leased_until = NULL, held_at = NULL WHERE contact_id = $3 AND status = 'queued'`, reason, ms(t.s.now()), contactID)
	if err != nil {
		return fmt.Errorf("set contact flags %d: outbox: %w", contactID, err)
	}
	return nil
}

// MarkBlocked sets the blocked flag of the contact found by the lookup key
// of (ch, address); blocking fails its queued outbox rows (see bot.Tx).
func (t *tx) MarkBlocked(ctx context.Context, ch bot.Channel, address string, blocked bool) error {
	var id int64
	err := t.tx.QueryRow(ctx, `UPDATE contacts SET blocked = $1 WHERE channel = $2 AND lookup_key = $3
		RETURNING id`, blocked, text(ch), t.s.keys.LookupKey(ch, address)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("mark blocked: %s contact: %w", ch, bot.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("mark blocked: %w", err)
	}
	if !blocked {
		return nil
	}
	_, err = t.tx.Exec(ctx, `UPDATE outbox SET status = 'failed', last_error = 'contact blocked the bot',
		failed_at = $1, leased_until = NULL WHERE contact_id = $2 AND status = 'queued'`, ms(t.s.now()), id)
	if err != nil {
		return fmt.Errorf("mark blocked: outbox: %w", err)
	}
	return nil
}

// AddMessage appends m to its conversation's transcript. CreatedAt defaults
// to the store's clock; the stored message is returned with its ID.
func (t *tx) AddMessage(ctx context.Context, m bot.Message) (bot.Message, error) {
	switch m.Direction {
	case bot.FromBot, bot.FromCaseworker, bot.FromPerson:
	default:
		return bot.Message{}, fmt.Errorf("add message: unknown direction %q", m.Direction)
	}
	m.CreatedAt = orNow(m.CreatedAt, t.s.now())
	err := t.tx.QueryRow(ctx, `INSERT INTO messages (conversation_id, direction, text, topic, created_at)
		SELECT id, $1, $2, $3, $4 FROM conversations WHERE id = $5
		RETURNING id`, text(m.Direction), text(m.Text), text(m.Topic), ms(m.CreatedAt), m.ConversationID).Scan(&m.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Message{}, fmt.Errorf("add message: conversation %d: %w", m.ConversationID, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Message{}, fmt.Errorf("add message: %w", err)
	}
	return m, nil
}

// EnsureContact finds or creates the contact for (ch, address) and its
// conversation without recording a message; last_seen becomes now. A new
// conversation gets the channel's usual surface.
func (t *tx) EnsureContact(ctx context.Context, ch bot.Channel, address string) (bot.Contact, bot.Conversation, error) {
	if ch == "" || address == "" {
		return bot.Contact{}, bot.Conversation{}, errors.New("ensure contact: channel and address are required")
	}
	now := t.s.now()
	c, err := t.upsertContact(ctx, ch, address, now)
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("ensure contact: %w", err)
	}
	conv, err := t.conversationFor(ctx, c.ID, bot.Inbound{Channel: ch}, now)
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("ensure contact: %w", err)
	}
	return c, conv, nil
}

// affectedOne turns an UPDATE or DELETE of one row by id into nil,
// ErrNotFound (no row) or the error.
func affectedOne(tag pgconn.CommandTag, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s %d: %w", what, id, bot.ErrNotFound)
	}
	return nil
}
