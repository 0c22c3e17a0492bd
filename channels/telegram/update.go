package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// update is one decoded Update, with the keys of its message object (to
// tell media Telegram added after the library's types from service
// messages).
type update struct {
	tgbotapi.Update
	msgKeys map[string]json.RawMessage
}

// rawKeys reads the keys of the message, whatever their types.
type rawKeys struct {
	Message map[string]json.RawMessage `json:"message"`
}

// errMalformed marks a body that is not a usable Update.
var errMalformed = errors.New("malformed update")

// decodeUpdate decodes one Update and checks the fields the channel relies
// on. Unknown fields and update types are fine; what is missing or of the
// wrong type is errMalformed.
func decodeUpdate(body []byte) (*update, error) {
	var u update
	if err := json.Unmarshal(body, &u.Update); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	if u.UpdateID <= 0 {
		return nil, fmt.Errorf("%w: no update_id", errMalformed)
	}
	for _, m := range []*tgbotapi.Message{u.Message, u.EditedMessage} {
		if m != nil && (m.Chat == nil || m.Chat.ID == 0) {
			return nil, fmt.Errorf("%w: message without a chat", errMalformed)
		}
	}
	if q := u.CallbackQuery; q != nil {
		if q.ID == "" || q.From == nil || q.From.ID == 0 {
			return nil, fmt.Errorf("%w: callback query without id or sender", errMalformed)
		}
		if q.Message != nil && (q.Message.Chat == nil || q.Message.Chat.ID == 0) {
			return nil, fmt.Errorf("%w: callback query message without a chat", errMalformed)
		}
	}
	if cm := u.MyChatMember; cm != nil && cm.Chat.ID == 0 {
		return nil, fmt.Errorf("%w: my_chat_member without a chat", errMalformed)
	}
	if u.Message != nil {
		var rk rawKeys
		if err := json.Unmarshal(body, &rk); err != nil {
			return nil, fmt.Errorf("%w: %v", errMalformed, err)
		}
		u.msgKeys = rk.Message
	}
	return &u, nil
}

// mediaKeys are the message fields that carry something a person sent
// which the bot cannot read, with the name the engine gets in
// Inbound.Media. Keys Telegram added after the library's types (story,
// paid_media, checklist) are read from the raw message.
var mediaKeys = []struct{ key, kind string }{
	{"photo", "photo"}, {"voice", "voice"}, {"audio", "audio"}, {"video", "video"},
	{"video_note", "video_note"}, {"animation", "animation"}, {"document", "document"},
	{"sticker", "sticker"}, {"location", "location"}, {"venue", "location"},
	{"contact", "contact"}, {"poll", "poll"}, {"dice", "dice"}, {"game", "game"},
	{"story", "story"}, {"paid_media", "paid_media"}, {"checklist", "checklist"},
}

// mediaKinds lists the kinds of media in a message, each once.
func mediaKinds(keys map[string]json.RawMessage) []string {
	var kinds []string
	for _, mk := range mediaKeys {
		if v, ok := keys[mk.key]; ok && string(v) != "null" && !slices.Contains(kinds, mk.kind) {
			kinds = append(kinds, mk.kind)
		}
	}
	return kinds
}

// utf16Range returns the byte offsets in s of the UTF-16 range [off,
// off+n), as MessageEntity gives it; ok is false when the range is outside
// s or cuts a surrogate pair.
func utf16Range(s string, off, n int) (start, end int, ok bool) {
	if off < 0 || n < 0 {
		return 0, 0, false
	}
	start, end = -1, -1
	u := 0
	for i, r := range s {
		if u == off {
			start = i
		}
		if u == off+n {
			end = i
			break
		}
		u += utf16.RuneLen(r)
	}
	if start < 0 && u == off {
		start = len(s)
	}
	if end < 0 && u == off+n {
		end = len(s)
	}
	if start < 0 || end < 0 {
		return 0, 0, false
	}
	return start, end, true
}
