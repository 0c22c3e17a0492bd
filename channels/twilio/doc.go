// Package twilio connects Passerelle to SMS and WhatsApp through Twilio
// (github.com/twilio/twilio-go).
//
// Routes (Channel.Routes):
//
//	POST /webhooks/twilio/sms       inbound SMS
//	POST /webhooks/twilio/whatsapp  inbound WhatsApp messages
//	POST /webhooks/twilio/status    delivery status callbacks (both)
//
// Every request is verified first: X-Twilio-Signature is checked with
// twilio-go's RequestValidator against the configured public URL + the
// request's path and query (never the Host header, so it works behind a
// reverse proxy; a path prefix in the public URL is one the proxy strips)
// and every form parameter received. A request without a
// valid signature gets 403 and changes nothing. The body is limited to
// 64 KiB (413 past it); a body that is not a form, repeats a parameter
// (the validator reads only the first value, so a repeated one could be
// smuggled past it), or lacks what a message must have gets 400.
//
// Inbound messages become bot.Inbound (ProviderID = MessageSid, so a
// redelivery is dropped by the engine's dedupe):
//
//   - Body is the text. "START #CODE" (CODE as in a Telegram start
//     payload: CAMPAIGN[-LANG][--TOPIC]) is what a wa.me or sms: link
//     prefills (WhatsAppLink, SMSLink, StartText): the code fills Campaign,
//     LangHint and TopicHint, and the engine sees START.
//   - Media (NumMedia, MediaContentTypeN) and shared locations become
//     Inbound.Media kinds ("image", "audio", "location"...), so the engine
//     answers, in the person's language, that it reads only text. Media
//     URLs and coordinates are neither kept nor logged.
//   - WhatsApp ProfileName goes in Inbound.Profile (sealed by the store,
//     never logged); WaId must agree with From when present.
//   - Quick-reply buttons: ButtonPayload is the payload, ButtonText the
//     text.
//   - OptOutType (Advanced Opt-Out): Twilio already matched a STOP, START
//     or HELP keyword, possibly a custom one; the text is made the
//     matching control word so the engine records the same decision.
//
// The inbound response is an empty TwiML document: replies go through the
// outbox and the Messages API, never in the webhook response.
//
// Status callbacks become bot.Delivery reports for the outbox worker
// (bot.Worker.Report): the status (queued, sent, delivered, undelivered,
// failed, read; WhatsApp EventType=READ is read) and error code are
// recorded on the message; 21610 marks the person opted out; 63016 puts
// the message back to go by template. An unknown MessageSid gets 200 and is
// ignored (a callback may come before the send is recorded, or for a
// template).
//
// Sending (Channel.Send, a bot.Sender for both channels) creates a Message
// through the Messages API at the configured API URL, with a
// StatusCallback on every message, at most Rate messages per second per
// sender. SMS text comes fitted by the engine (numbered options, segment
// budget, MORE); segments per reply are counted (Stats). On WhatsApp the
// options follow the text as a numbered list, which any WhatsApp client
// shows and "2" answers.
//
// WhatsApp allows free-form messages only within 24 hours of the person's
// last message. A reply outside that window (typically a caseworker's)
// goes as the approved template configured for the person's language (or
// the fallback language), by ContentSid, telling them a reply is waiting;
// the reply is held (bot.SendHeld) and goes as soon as they write. With no
// template configured the reply is held all the same, and the reason is
// recorded for the console.
//
// Errors are typed for the worker: 429 and 5xx (and network errors) are
// retried with backoff, honouring Retry-After; 21610 is opted out; 21211
// and the other invalid-recipient codes are permanent; 63016 switches to
// the template path.
package twilio
