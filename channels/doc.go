// Package channels holds helpers shared by the channel adapters and the
// engine: SMS encoding and segment counting, and splitting long text
// without breaking a character, a grapheme or a word. It imports nothing
// of the project, so the engine may use it to fit replies to a surface;
// the adapters themselves live in channels/telegram, channels/twilio and
// channels/web.
package channels
