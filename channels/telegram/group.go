package telegram

import (
	"context"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// groupNoticeEvery is how often one group may get the notice, should it
// keep writing to the bot after it left.
const groupNoticeEvery = 10 * time.Minute

// declineGroup tells a group, once, that the bot answers in private chats
// only, with a button to open the private chat, and leaves the group.
// Nothing about the group or its members is recorded. It runs in the
// background: the update is answered at once.
func (c *Channel) declineGroup(chatID int64, from *tgbotapi.User) {
	now := c.cfg.Clock()
	c.mu.Lock()
	if last, ok := c.declined[chatID]; ok && now.Sub(last) < groupNoticeEvery {
		c.mu.Unlock()
		return
	}
	if len(c.declined) > 1000 {
		for id, t := range c.declined {
			if now.Sub(t) >= groupNoticeEvery {
				delete(c.declined, id)
			}
		}
	}
	c.declined[chatID] = now
	c.mu.Unlock()
	lang := ""
	if from != nil {
		lang = clientLang(from.LanguageCode)
	}
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.log.Info("telegram group declined")
		if text := c.groupText(lang); text != "" {
			msg := tgbotapi.NewMessage(chatID, text)
			if name, err := c.Username(ctx); err == nil {
				msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
					tgbotapi.NewInlineKeyboardButtonURL("💬 @"+name, "https://t.me/"+name)))
			}
			if err := c.limit.wait(ctx, chatID); err == nil {
				if _, err := c.call(ctx, msg); err != nil {
					c.log.Warn("telegram group notice not sent", "err", err)
				}
			}
		}
		if _, err := c.call(ctx, tgbotapi.LeaveChatConfig{ChatID: chatID}); err != nil {
			c.log.Warn("telegram leaveChat failed", "err", err)
		}
	}()
}

// groupText is the group notice in lang, or English; "" without a
// catalog (then the bot only leaves).
func (c *Channel) groupText(lang string) string {
	if c.cfg.Locales == nil {
		return ""
	}
	if _, ok := c.cfg.Locales.Language(lang); !ok {
		lang = "en"
	}
	return c.cfg.Locales.Printer(lang).T("telegram.group_private", nil)
}
