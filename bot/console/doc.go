// Package console is the caseworkers' web console, served under /console/:
// login with database sessions, the queue of open handoffs (urgent first,
// then oldest, the caseworker's languages first), claim, release and close,
// and a conversation page with the transcript, replies, articles sent in
// the person's language, private notes and the logged reveal of the
// address. Live updates come by server-sent events.
//
// Several replicas: sessions live in the database, so a login on one
// replica works on all, and so does the login limit (counted in the
// database through the store's rate slots, see allowLogin). Live
// updates cross replicas through Options.Events (PostgreSQL LISTEN/NOTIFY,
// see bot/postgres.Notifier): each console delivers its own events to its
// own pages at once and publishes them for the others, which skip their
// own echoes, so every page gets each event once. After the listening
// connection comes back, events sent meanwhile are lost, so every page
// refreshes (the queue its list, a conversation page its transcript).
//
// Everything the person receives goes through the outbox, in the same
// transaction as its transcript entry; the only fixed text (the message
// when a caseworker closes) comes from locales in the person's language.
// To an SMS contact, a reply, an article or that message is prepared as the
// bot's replies are and, over the engine's budget of 3 segments, sent as
// several messages cut at sentence ends (bot.SplitSMS): not cut with MORE
// as the bot does, because the bot does not answer MORE while a handoff is
// open. The transcript records each message as sent.
//
// The console's own interface goes through locales (keys console.*), with
// a Printer made for each request, in French or English: the first of fr
// or en among the caseworker's account languages; failing that (a
// Tigrinya-only account, or the login page) the browser's Accept-Language
// when it prefers French or English; failing that French, as the
// caseworkers work in France. To read the console in English, add en to
// the account's languages before fr. The Telegram alert for the
// caseworkers' group is in French. Data shown as it is stored (audit
// action codes, delivery statuses, the engine's summary items such as
// lang=ti) is not translated.
//
// Security: every page and the event stream need a session (cookie
// HttpOnly, Secure unless Insecure is set for plain-HTTP tests,
// SameSite=Lax, token stored hashed); cross-origin POSTs are refused by
// http.CrossOriginProtection; failed logins are rate-limited per email and
// per client address; html/template escapes migrants' text; the address
// appears only after an explicit reveal, which is written to the audit log
// in the same transaction.
package console
