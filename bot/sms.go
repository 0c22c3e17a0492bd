package bot

import "github.com/passerelle-org/passerelle/channels"

// SplitSMS prepares text for SMS as the engine prepares its own replies
// (channels.SMSPrepare) and, when it would cost more than the engine's
// budget of smsBudget segments, splits it into several messages of at most
// that budget each, cut where channels.FitSMS cuts the engine's replies: at
// a sentence end when one is near, else at a space, never inside a
// character. It is for text that must go whole with no "MORE" paging, such
// as a caseworker's reply: while a handoff is open the bot does not answer
// MORE. Text within budget comes back as one message.
func SplitSMS(text string) []string {
	text = channels.SMSPrepare(text)
	var parts []string
	for {
		head, rest := channels.FitSMS(text, smsBudget, "")
		if rest == "" || head == "" {
			return append(parts, text)
		}
		parts = append(parts, head)
		text = rest
	}
}
