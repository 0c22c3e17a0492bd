// Package console is the caseworkers' web console, served under /console/:
// login with database sessions, the queue of open handoffs (urgent first,
// then oldest, the caseworker's languages first), claim, release and close,
// and a conversation page with the transcript, replies, articles sent in
// the person's language, private notes and the logged reveal of the
// address. Live updates come by server-sent events.
//
// Everything the person receives goes through the outbox, in the same
// transaction as its transcript entry; the only fixed text (the message
// when a caseworker closes) comes from locales in the person's language.
// The console's own interface is in English: it is for caseworkers.
//
// Security: every page and the event stream need a session (cookie
// HttpOnly, Secure unless Insecure is set for plain-HTTP tests,
// SameSite=Lax, token stored hashed); cross-origin POSTs are refused by
// http.CrossOriginProtection; failed logins are rate-limited per email and
// per client address; html/template escapes migrants' text; the address
// appears only after an explicit reveal, which is written to the audit log
// in the same transaction.
package console
