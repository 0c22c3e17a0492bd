package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
)

// MaxText is sendMessage's limit. The docs say "characters"; it is counted
// here in UTF-16 units, which are never fewer than characters.
const MaxText = 4096

// maxWait is the longest Send waits for the rate limit; past it the
// message goes back to the outbox for later and the worker moves on.
const maxWait = 3 * time.Second

// progress is how much of a split message was sent, so a retry does not
// send the first parts again.
type progress struct {
	sent int
	ids  []string
	at   time.Time
}

// Send delivers one outbound message to its chat: plain text (no parse
// mode: nothing in the text is markup), split into parts of at most
// MaxText UTF-16 units at word boundaries, the options as an inline
// keyboard under the last part. It returns the Telegram message ids
// (comma-separated when split), never the chat id. It implements
// bot.Sender; errors are *bot.SendError.
func (c *Channel) Send(ctx context.Context, o bot.Outbound) (string, error) {
	chat, err := strconv.ParseInt(o.Address, 10, 64)
	if err != nil || chat == 0 || strings.HasPrefix(o.Address, "+") {
		return "", &bot.SendError{Kind: bot.SendPermanent, Err: errors.New("telegram: the address is not a chat id")}
	}
	if strings.TrimSpace(o.Text) == "" {
		return "", &bot.SendError{Kind: bot.SendPermanent, Err: errors.New("telegram: empty message")}
	}
	parts := channels.Split(o.Text, MaxText, channels.UTF16Len)
	p := c.resume(o.ID)
	for i := p.sent; i < len(parts); i++ {
		wait, ok := c.limit.reserve(chat, maxWait)
		if !ok {
			c.keep(o.ID, p)
			return "", &bot.SendError{Kind: bot.SendRetry, RetryAfter: wait,
				Err: fmt.Errorf("telegram: chat rate limit, next message in %v", wait.Round(time.Second))}
		}
		if err := sleep(ctx, wait); err != nil {
			c.keep(o.ID, p)
			return "", &bot.SendError{Kind: bot.SendRetry, Err: err}
		}
		if err := c.pace(ctx); err != nil {
			c.keep(o.ID, p)
			return "", err
		}
		msg := tgbotapi.NewMessage(chat, parts[i])
		msg.DisableWebPagePreview = true
		if i == len(parts)-1 && len(o.Options) > 0 && o.Surface != bot.SurfaceSMS {
			msg.ReplyMarkup = keyboard(o.Options)
		}
		id, err := c.sendMessage(ctx, msg)
		if err != nil {
			se := c.sendError(chat, err)
			if se.Kind == bot.SendRetry {
				c.keep(o.ID, p)
			} else {
				c.keep(o.ID, progress{})
			}
			return "", se
		}
		p.sent, p.ids = i+1, append(p.ids, id)
	}
	c.keep(o.ID, progress{})
	return strings.Join(p.ids, ","), nil
}

// pace waits for the overall rate shared with the other replicas, when
// there is a Pacer. It books the slot after the chat's own wait, so the
// shared slot is taken right before the call it is for.
func (c *Channel) pace(ctx context.Context) error {
	if c.cfg.Pacer == nil {
		return nil
	}
	wait, ok, err := c.cfg.Pacer.Reserve(ctx, c.rateKey, maxWait)
	if err != nil {
		return &bot.SendError{Kind: bot.SendRetry, RetryAfter: time.Second, Err: fmt.Errorf("telegram: shared rate: %w", err)}
	}
	if !ok {
		return &bot.SendError{Kind: bot.SendRetry, RetryAfter: wait,
			Err: fmt.Errorf("telegram: overall rate limit, next message in %v", wait.Round(time.Millisecond))}
	}
	if err := sleep(ctx, wait); err != nil {
		return &bot.SendError{Kind: bot.SendRetry, Err: err}
	}
	return nil
}

// sendMessage sends one message and returns its id. A reply that says ok
// but cannot be read still means the message went: it is not sent again.
func (c *Channel) sendMessage(ctx context.Context, msg tgbotapi.MessageConfig) (string, error) {
	resp, err := c.call(ctx, msg)
	if err != nil {
		return "", err
	}
	var m struct {
		MessageID int `json:"message_id"`
	}
	if json.Unmarshal(resp.Result, &m) != nil || m.MessageID == 0 {
		return "?", nil
	}
	return strconv.Itoa(m.MessageID), nil
}

// resume returns what was already sent of outbound id.
func (c *Channel) resume(id int64) progress {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.progress[id]
}

// keep records p for outbound id (an empty p forgets it). Entries of
// messages the outbox gave up on are dropped after a day.
func (c *Channel) keep(id int64, p progress) {
	if id == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.sent == 0 {
		delete(c.progress, id)
		return
	}
	now := c.cfg.Clock()
	p.at = now
	c.progress[id] = p
	if len(c.progress) > 1000 {
		for k, v := range c.progress {
			if now.Sub(v.at) > 24*time.Hour {
				delete(c.progress, k)
			}
		}
	}
}

// sendError maps a Bot API failure to what the outbox worker should do.
// Telegram's description is informative only ("error_code ... subject to
// change"), so the kind follows the code.
func (c *Channel) sendError(chat int64, err error) *bot.SendError {
	te, ok := errors.AsType[*tgbotapi.Error](err)
	if !ok {
		// Network, timeout, a reply that is not JSON: try again later.
		return &bot.SendError{Kind: bot.SendRetry, Err: fmt.Errorf("telegram: %w", err)}
	}
	e := fmt.Errorf("telegram %d: %s", te.Code, te.Message)
	switch {
	case te.Code == 429 || te.RetryAfter > 0:
		after := time.Duration(te.RetryAfter) * time.Second
		if after <= 0 {
			after = time.Second
		}
		c.limit.hold(chat, after)
		return &bot.SendError{Kind: bot.SendRetry, RetryAfter: after, Err: e}
	case te.Code == 403:
		// "bot was blocked by the user", "user is deactivated": Telegram
		// will not deliver to this chat.
		return &bot.SendError{Kind: bot.SendBlocked, Err: e}
	case te.Code == 401 || te.Code == 404:
		// The token is wrong or revoked: no message can go until the
		// operator fixes it, so keep them.
		c.log.Error("telegram rejects the bot token; check PASSERELLE_TELEGRAM_TOKEN", "code", te.Code)
		return &bot.SendError{Kind: bot.SendRetry, Err: e}
	case te.Code >= 400 && te.Code < 500:
		return &bot.SendError{Kind: bot.SendPermanent, Err: e}
	}
	return &bot.SendError{Kind: bot.SendRetry, Err: e}
}

// keyboard lays out options as inline buttons: one a row, or two a row
// for long lists of short labels (the language list). The callback_data
// is the option's payload; one that Telegram would refuse (over 64 bytes)
// becomes "#N", read back as the option's number.
func keyboard(opts []bot.Option) tgbotapi.InlineKeyboardMarkup {
	perRow := 1
	if len(opts) >= 6 {
		perRow = 2
		for _, o := range opts {
			if utf8.RuneCountInString(o.Label) > 14 {
				perRow = 1
			}
		}
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, o := range opts {
		data := o.Payload
		if !ValidPayload(data) {
			data = "#" + strconv.Itoa(i+1)
		}
		label := strings.TrimSpace(o.Label)
		if label == "" {
			label = strconv.Itoa(i + 1)
		}
		b := tgbotapi.NewInlineKeyboardButtonData(label, data)
		if i%perRow == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], b)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// optionIndex reads "#N", the callback_data of an option sent by number.
func optionIndex(data string) (int, bool) {
	s, ok := strings.CutPrefix(data, "#")
	if !ok || len(s) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}

// answerCallback stops the button's progress bar (polling mode; a webhook
// answers in its response).
func (c *Channel) answerCallback(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.call(ctx, tgbotapi.NewCallback(id, "")); err != nil {
		c.log.Warn("telegram answerCallbackQuery failed", "err", err)
	}
}
