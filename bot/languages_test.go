package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
)

// TestEveryLanguageFirstContactToAnswerOnSMS holds, in each language whose
// articles are all written, a new person's first SMS conversation: they ask
// how to apply for return aid in their own words (an article question of
// that language) and must get the welcome and the answer in that language,
// with the answer's summary within its 2-segment budget.
func TestEveryLanguageFirstContactToAnswerOnSMS(t *testing.T) {
	h := newHarness(t)
	const topic = "return.how-to-apply"
	for _, l := range content.cat.Languages() {
		a, ok := content.kb.Article(topic, l.Code)
		if !ok || len(content.kb.ArticlesIn(l.Code)) < len(content.kb.Topics()) {
			t.Logf("%s: content not complete yet, skipped", l.Code)
			continue
		}
		t.Run(l.Code, func(t *testing.T) {
			if n := channels.SMSSegments(channels.SMSPrepare(strings.Join(strings.Fields(a.Summary), " "))); n > 2 {
				t.Errorf("summary costs %d segments", n)
			}
			out := h.send(bot.ChannelSMS, fmt.Sprintf("+3370000%04d", len(l.Code)*100+int(l.Code[0])), bot.Inbound{Text: a.Questions[len(a.Questions)/2]})
			all := joined(out)
			if len(out) == 0 {
				t.Fatal("no reply")
			}
			for _, o := range out {
				if o.Lang != l.Code {
					t.Fatalf("reply in %q, want %q:\n%s", o.Lang, l.Code, all)
				}
			}
			if !strings.Contains(all, strings.TrimSpace(strings.Join(strings.Fields(channels.SMSPrepare(a.Title)), " "))) {
				t.Fatalf("no %s answer in %s:\n%s", topic, l.Code, all)
			}
		})
	}
}
