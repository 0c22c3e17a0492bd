package telegram

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// process handles one decoded update. It returns the callback query to
// answer, if any (always, for a button press, even when the press is
// dropped). An error means nothing was recorded: the update may come again.
func (c *Channel) process(ctx context.Context, u *update) (callbackID string, err error) {
	switch {
	case u.Message != nil:
		return "", c.message(ctx, u)
	case u.CallbackQuery != nil:
		return u.CallbackQuery.ID, c.callback(ctx, u)
	case u.MyChatMember != nil:
		return "", c.member(ctx, u.MyChatMember)
	case u.EditedMessage != nil:
		c.log.Debug("telegram update ignored", "kind", "edited_message")
	default:
		c.log.Debug("telegram update ignored", "kind", "other")
	}
	return "", nil
}

// providerID is the dedupe key of an update: its id and, since ids restart
// at random after a quiet week, a second part that a redelivery repeats
// and a later update with the same id does not.
func providerID(id int, second string) string {
	return strconv.Itoa(id) + ":" + second
}

func (c *Channel) message(ctx context.Context, u *update) error {
	m := u.Message
	switch m.Chat.Type {
	case "private":
	case "group", "supergroup":
		c.declineGroup(m.Chat.ID, m.From)
		return nil
	default:
		c.log.Debug("telegram update ignored", "kind", "channel message")
		return nil
	}
	if m.From != nil && m.From.IsBot {
		c.log.Debug("telegram update ignored", "kind", "message from a bot")
		return nil
	}
	in := bot.Inbound{
		Channel: bot.ChannelTelegram, Surface: bot.SurfaceTelegram,
		Address:    strconv.FormatInt(m.Chat.ID, 10),
		ProviderID: providerID(u.UpdateID, strconv.Itoa(m.Date)),
		ReceivedAt: c.received(m.Date),
		Media:      mediaKinds(u.msgKeys),
	}
	text, ents := m.Text, m.Entities
	if text == "" {
		text, ents = m.Caption, m.CaptionEntities
	}
	if text == "" && len(in.Media) == 0 {
		// A service message (a pin, an auto-delete timer...): not written
		// by the person, nothing to answer.
		c.log.Debug("telegram update ignored", "kind", "service message")
		return nil
	}
	in.Text = c.readText(&in, text, ents, m.From)
	return c.h.Handle(ctx, in)
}

// received is the message's date, or now when it has none.
func (c *Channel) received(date int) time.Time {
	if date <= 0 {
		return c.cfg.Clock().UTC()
	}
	return time.Unix(int64(date), 0).UTC()
}

// readText turns a message's text into what the engine reads: a command at
// the start loses its @botname suffix; /start's deep-link payload goes in
// in's Campaign, LangHint and TopicHint; mentions of the bot are removed.
func (c *Channel) readText(in *bot.Inbound, text string, ents []tgbotapi.MessageEntity, from *tgbotapi.User) string {
	for _, e := range ents {
		if e.Type != "bot_command" || e.Offset != 0 {
			continue
		}
		_, end, ok := utf16Range(text, e.Offset, e.Length)
		if !ok || end < 2 {
			break
		}
		name, _, _ := strings.Cut(text[1:end], "@")
		rest := strings.TrimSpace(text[end:])
		if strings.EqualFold(name, "start") {
			if s, ok := ParseStart(rest); ok {
				in.Campaign, in.LangHint, in.TopicHint = s.Campaign, s.Lang, s.Topic
			}
			if in.LangHint == "" && from != nil {
				in.LangHint = clientLang(from.LanguageCode)
			}
			return "/start"
		}
		if rest == "" {
			return "/" + name
		}
		return "/" + name + " " + rest
	}
	return c.stripMentions(text, ents)
}

// stripMentions removes @mentions of the bot itself from text, found by
// the entities' UTF-16 offsets, last first so earlier offsets stay true.
func (c *Channel) stripMentions(text string, ents []tgbotapi.MessageEntity) string {
	me := c.knownUsername()
	if me == "" {
		return text
	}
	for i := len(ents) - 1; i >= 0; i-- {
		e := ents[i]
		if e.Type != "mention" {
			continue
		}
		start, end, ok := utf16Range(text, e.Offset, e.Length)
		if !ok || !strings.EqualFold(text[start:end], "@"+me) {
			continue
		}
		before, after := strings.TrimRight(text[:start], " "), strings.TrimLeft(text[end:], " ")
		if before != "" && after != "" {
			before += " "
		}
		text = strings.TrimSpace(before + after)
	}
	return text
}

// clientLang is the primary subtag of a Telegram client's language_code
// ("pt-BR" -> "pt"). It is the language of the app's menus, not of the
// person's messages, so it is only a hint for a bare /start.
func clientLang(code string) string {
	code, _, _ = strings.Cut(strings.ToLower(code), "-")
	if !langRE.MatchString(code) {
		return ""
	}
	return code
}

func (c *Channel) callback(ctx context.Context, u *update) error {
	q := u.CallbackQuery
	chat := q.From.ID
	if q.Message != nil {
		if q.Message.Chat.Type != "private" {
			c.log.Debug("telegram update ignored", "kind", "group button")
			return nil
		}
		chat = q.Message.Chat.ID
	}
	in := bot.Inbound{
		Channel: bot.ChannelTelegram, Surface: bot.SurfaceTelegram,
		Address:    strconv.FormatInt(chat, 10),
		ProviderID: providerID(u.UpdateID, shortHash(q.ID)),
		ReceivedAt: c.cfg.Clock().UTC(),
	}
	switch n, isIndex := optionIndex(q.Data); {
	case isIndex:
		in.Text = strconv.Itoa(n) // an option whose payload was too long to be callback_data
	case ValidPayload(q.Data):
		in.Payload = q.Data
	default:
		c.log.Warn("telegram button press dropped: callback_data is not a payload Passerelle offers", "bytes", len(q.Data))
		return nil
	}
	return c.h.Handle(ctx, in)
}

// shortHash is 8 bytes of SHA-256, hex: a compact fingerprint of an
// opaque provider id.
func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// member handles my_chat_member: a private chat blocked or unblocked the
// bot, or the bot was added to a group.
func (c *Channel) member(ctx context.Context, cm *tgbotapi.ChatMemberUpdated) error {
	status := cm.NewChatMember.Status
	switch cm.Chat.Type {
	case "private":
		var blocked bool
		switch status {
		case "kicked":
			blocked = true
		case "member":
		default:
			return nil
		}
		if c.contacts == nil {
			return nil
		}
		err := c.contacts.MarkBlocked(ctx, strconv.FormatInt(cm.Chat.ID, 10), blocked)
		if errors.Is(err, bot.ErrNotFound) {
			return nil // never wrote: nothing to mark, and nothing is created
		}
		if err == nil {
			c.log.Info("telegram chat blocked the bot", "blocked", blocked)
		}
		return err
	case "group", "supergroup":
		old := cm.OldChatMember.Status
		if (status == "member" || status == "administrator") && (old == "left" || old == "kicked" || old == "") {
			c.declineGroup(cm.Chat.ID, &cm.From)
		}
	}
	return nil
}
