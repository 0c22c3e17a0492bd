// Package telegram connects Passerelle to Telegram through the Bot API
// (github.com/go-telegram-bot-api/telegram-bot-api/v5).
//
// Updates arrive one of two ways:
//
//   - Webhook (when a public URL is configured): Telegram POSTs each update
//     to /webhooks/telegram. Every request must carry the secret token in
//     X-Telegram-Bot-Api-Secret-Token (checked in constant time; the
//     library does not check it); a missing or wrong token gets 401 and
//     changes nothing. Run calls setWebhook with secret_token and the
//     update types handled here.
//   - Long polling (no public URL): Run calls deleteWebhook, then
//     getUpdates in a loop. The offset is saved (OffsetStore, a file in the
//     data dir) after each update is handled, so a restart resumes where it
//     stopped; an update handled but not yet confirmed comes again and is
//     dropped by the engine's dedupe.
//
// Each update becomes at most one bot.Inbound, whose ProviderID is the
// update_id with a second part (the message date, or a hash of the callback
// query id): update ids restart at a random number after a week without
// updates, and must not collide with an older update's dedupe record.
// What is done with each kind:
//
//   - text: as is; a command at the start has its @botname suffix removed,
//     and mentions of the bot are removed (entities are read with UTF-16
//     offsets, as Telegram counts them).
//   - /start PAYLOAD: a deep link (see ParseStart, DeepLink); the campaign,
//     language and topic go in Inbound.Campaign, LangHint and TopicHint.
//     An invalid payload is a plain /start: the normal welcome. A /start
//     with no language in its payload takes the Telegram client's language
//     as a hint, for the welcome only.
//   - callback_query: the button's callback_data is the option's payload;
//     it is user-controlled, so it must look like a payload the bot offers
//     (ValidPayload) or it is dropped. answerCallbackQuery is always sent:
//     in the webhook response, or by a call when polling.
//   - edited_message: ignored; the first version was answered already.
//   - photo, voice, document, sticker, location, contact and other media:
//     the caption is the text; without one, Inbound.Media names the kinds
//     so the engine answers that it reads only text. A shared contact or
//     location is personal data: nothing of it is kept or logged.
//   - groups: declined. The bot answers privately only, so that nobody's
//     questions are read by a group; added to a group, or written to in
//     one, it says so once (telegram.group_private), with a button to its
//     private chat, and leaves.
//   - my_chat_member in a private chat: "kicked" marks the contact blocked
//     (its queued replies are dropped, nothing more is sent), "member"
//     unblocks it.
//   - anything else: 200, ignored.
//
// Channel.Send is the bot.Sender: plain text (no parse mode, so no text can
// break the markup), split at 4096 UTF-16 units at word boundaries
// (channels.Split), options as an inline keyboard on the last part, at most
// about one message a second per chat (short bursts allowed) and 30 a
// second overall. Errors are typed: 429 is retried after retry_after, 403
// means the person blocked the bot, other 4xx are permanent (except 401 and
// 404, a bad token, which are retried until the operator fixes it), 5xx
// and network errors are retried. The bot token never appears in errors
// or logs.
package telegram
