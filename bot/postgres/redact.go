package postgres

import (
	"regexp"
	"unicode/utf8"
)

// maxReason is how much of a send error the outbox keeps.
const maxReason = 500

// longNumber matches seven or more digits, alone or separated by single
// spaces, dots, dashes or brackets: phone numbers and Telegram chat ids.
// Provider error codes (Twilio 21211) and HTTP statuses are shorter.
var longNumber = regexp.MustCompile(`\+?\d(?:[\s.\-()]?\d){6,}`)

// redactReason makes a send error fit to keep in the outbox: provider
// messages may quote the recipient ("The 'To' number +33... is not valid"),
// and the address must never be stored in clear. Long numbers become
// [number] and the text is cut to maxReason bytes. It is bot/sqlite's rule,
// copied since adapters do not import each other.
func redactReason(reason string) string {
	reason = longNumber.ReplaceAllString(reason, "[number]")
	if len(reason) <= maxReason {
		return reason
	}
	cut := maxReason
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut] + "…"
}
