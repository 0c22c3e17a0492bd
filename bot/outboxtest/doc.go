// Package outboxtest holds the end-to-end tests and benchmarks of reply
// delivery: the real bot.Worker on a real store (SQLite, and PostgreSQL
// when PASSERELLE_TEST_DATABASE_URL is set), sending through the real
// channel senders (channels/telegram on go-telegram-bot-api,
// channels/twilio on twilio-go) to the provider doubles of
// channels/telegram/telegramtest and channels/twilio/twiliotest.
//
// It is a package of its own because it imports the stores and the
// channels together, which no adapter may do. It has no code outside its
// tests.
//
// The fault tests put the doubles through an outage (500s, 429s with
// retry hints, calls that hang past the client's timeout, dropped
// connections) and check that every reply is then delivered exactly once,
// in order per person, that none is given up on, and that no retry comes
// before the provider's hint. The outage lasts a few seconds by default;
// PASSERELLE_TEST_FAULT_SECONDS sets it (60 for the minute).
//
// The benchmarks measure replies a second from a queued outbox to a fast
// provider double.
package outboxtest
