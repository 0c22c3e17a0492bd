package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// tx is bot.Tx on one write transaction.
type tx struct {
	s  *Store
	tx *sql.Tx
}

var _ bot.Tx = (*tx)(nil)

// RecordInbound records in idempotently (see bot.Tx).
//
// The dedupe row comes first: a (channel, provider id) seen before gives an
// error wrapping bot.ErrDuplicate and writes nothing. An empty ProviderID
// cannot be deduplicated, so such a message is always recorded as new.
//
// The message, the dedupe row and the contact's last_seen take
// in.ReceivedAt (or the store's clock when it is zero or in the future).
// A new conversation gets in.Surface (or the channel's usual surface) and
// in.Campaign; language and state are left to the engine, which saves them
// with SaveConversation. The returned Contact carries in.Address.
func (t *tx) RecordInbound(ctx context.Context, in bot.Inbound) (bot.Contact, bot.Conversation, error) {
	if in.Channel == "" || in.Address == "" {
		return bot.Contact{}, bot.Conversation{}, errors.New("record inbound: channel and address are required")
	}
	now := t.s.now()
	at := now
	if !in.ReceivedAt.IsZero() && in.ReceivedAt.Before(now) {
		at = in.ReceivedAt.UTC().Truncate(time.Millisecond)
	}
	if in.ProviderID != "" {
		res, err := t.tx.ExecContext(ctx, `INSERT INTO inbound_dedupe (channel, provider_id, received_at)
			VALUES (?, ?, ?) ON CONFLICT (channel, provider_id) DO NOTHING`,
			in.Channel, in.ProviderID, ms(at))
		if err != nil {
			return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: dedupe: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: dedupe: %w", err)
		} else if n == 0 {
			return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound %s message: %w", in.Channel, bot.ErrDuplicate)
		}
	}
	c, err := t.upsertContact(ctx, in.Channel, in.Address, at)
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: %w", err)
	}
	if in.Profile != "" {
		if err := t.sealProfile(ctx, c.ID, in.Profile); err != nil {
			return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: %w", err)
		}
	}
	if err := t.releaseHeld(ctx, c.ID, now); err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: %w", err)
	}
	conv, err := t.conversationFor(ctx, c.ID, in, now)
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO messages (conversation_id, direction, text, provider_id, created_at)
		VALUES (?, ?, ?, ?, ?)`, conv.ID, bot.FromPerson, in.Text, nullString(in.ProviderID), ms(at))
	if err != nil {
		return bot.Contact{}, bot.Conversation{}, fmt.Errorf("record inbound: message: %w", err)
	}
	return c, conv, nil
}

// upsertContact finds the contact by lookup key, or creates it with the
// address sealed, and moves last_seen forward to at.
func (t *tx) upsertContact(ctx context.Context, ch bot.Channel, address string, at time.Time) (bot.Contact, error) {
	sealed, err := t.s.keys.Seal([]byte(address))
	if err != nil {
		return bot.Contact{}, fmt.Errorf("contact: %w", err)
	}
	c := bot.Contact{Channel: ch, Key: t.s.keys.LookupKey(ch, address), Address: address}
	var created, seen int64
	err = t.tx.QueryRowContext(ctx, `INSERT INTO contacts (channel, lookup_key, address_sealed, created_at, last_seen)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (channel, lookup_key) DO UPDATE SET last_seen = MAX(contacts.last_seen, excluded.last_seen)
		RETURNING id, opted_out, blocked, created_at, last_seen`,
		ch, c.Key, sealed, ms(at), ms(at)).Scan(&c.ID, &c.OptedOut, &c.Blocked, &created, &seen)
	if err != nil {
		return bot.Contact{}, fmt.Errorf("contact: %w", err)
	}
	c.CreatedAt, c.LastSeen = fromMS(created), fromMS(seen)
	return c, nil
}

// conversationFor returns the contact's conversation, creating it if needed.
func (t *tx) conversationFor(ctx context.Context, contactID int64, in bot.Inbound, now time.Time) (bot.Conversation, error) {
	conv, err := scanConversation(t.tx.QueryRowContext(ctx,
		`SELECT `+conversationCols+` FROM conversations WHERE contact_id = ?`, contactID))
	if err == nil {
		return conv, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return bot.Conversation{}, fmt.Errorf("conversation: %w", err)
	}
	surface := in.Surface
	if surface == "" {
		surface = defaultSurface(in.Channel)
	}
	conv = bot.Conversation{ContactID: contactID, Surface: surface, Campaign: in.Campaign, UpdatedAt: now}
	err = t.tx.QueryRowContext(ctx, `INSERT INTO conversations (contact_id, surface, campaign, state, created_at, updated_at)
		VALUES (?, ?, ?, '{}', ?, ?) RETURNING id`,
		contactID, surface, in.Campaign, ms(now), ms(now)).Scan(&conv.ID)
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
	state, err := json.Marshal(c.State)
	if err != nil {
		return fmt.Errorf("save conversation %d: state: %w", c.ID, err)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE conversations
		SET lang = ?, lang_set = ?, surface = ?, campaign = ?, state = ?, unanswered = ?, updated_at = ?
		WHERE id = ?`,
		c.Lang, c.LangSet, c.Surface, c.Campaign, string(state), c.Unanswered, ms(t.s.now()), c.ID)
	return affectedOne(res, err, "save conversation", c.ID)
}

// SetContactFlags updates the contact's opt-out and blocked flags.
// Opting out or blocking fails the contact's queued replies, held ones
// included, so that nothing already queued goes after a STOP.
func (t *tx) SetContactFlags(ctx context.Context, contactID int64, optedOut, blocked bool) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE contacts SET opted_out = ?, blocked = ? WHERE id = ?`,
		optedOut, blocked, contactID)
	if err := affectedOne(res, err, "set contact flags", contactID); err != nil || (!optedOut && !blocked) {
		return err
	}
	reason := "contact opted out"
	if blocked {
		reason = "contact blocked the bot"
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = ?, failed_at = ?,
		leased_until = NULL, held_at = NULL WHERE contact_id = ? AND status = 'queued'`, reason, ms(t.s.now()), contactID)
	if err != nil {
		return fmt.Errorf("set contact flags %d: outbox: %w", contactID, err)
	}
	return nil
}

// MarkBlocked sets the blocked flag of the contact found by the lookup key
// of (ch, address); blocking fails its queued outbox rows (see bot.Tx).
func (t *tx) MarkBlocked(ctx context.Context, ch bot.Channel, address string, blocked bool) error {
	var id int64
	err := t.tx.QueryRowContext(ctx, `UPDATE contacts SET blocked = ? WHERE channel = ? AND lookup_key = ?
		RETURNING id`, blocked, ch, t.s.keys.LookupKey(ch, address)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("mark blocked: %s contact: %w", ch, bot.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("mark blocked: %w", err)
	}
	if !blocked {
		return nil
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = 'contact blocked the bot',
		failed_at = ?, leased_until = NULL WHERE contact_id = ? AND status = 'queued'`, ms(t.s.now()), id)
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
	err := t.tx.QueryRowContext(ctx, `INSERT INTO messages (conversation_id, direction, text, topic, created_at)
		SELECT id, ?, ?, ?, ? FROM conversations WHERE id = ?
		RETURNING id`, m.Direction, m.Text, m.Topic, ms(m.CreatedAt), m.ConversationID).Scan(&m.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Message{}, fmt.Errorf("add message: conversation %d: %w", m.ConversationID, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Message{}, fmt.Errorf("add message: %w", err)
	}
	return m, nil
}

// affectedOne turns an UPDATE or DELETE of one row by id into nil,
// ErrNotFound (no row) or the error.
func affectedOne(res sql.Result, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %d: %w", what, id, bot.ErrNotFound)
	}
	return nil
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
