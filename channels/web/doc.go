// Package web is the browser chat simulator: a real channel, so anyone can
// try Passerelle with no accounts. The page at / looks like a phone; the
// tester picks how replies are rendered (Telegram buttons, WhatsApp
// replies, or SMS with numbered options and a segment count). Messages go
// through the same Engine, store and outbox as every other channel; replies
// reach the page over server-sent events.
package web
