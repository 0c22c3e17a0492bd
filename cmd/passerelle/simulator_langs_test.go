package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/channels"
)

// TestSimulatorEveryLanguageFirstContactOnSMS is a new person's first SMS
// conversation in each of the 16 languages, through the running server's
// simulator, as a tester would try it: they ask how to apply for return
// aid in their language and must get replies in that language (right to
// left where the script is), each within the 3-segment budget, one of them
// carrying the article's summary, itself within 2 segments. The privacy
// notice alone may cost more: it is never cut (bot's wholeKeys).
func TestSimulatorEveryLanguageFirstContactOnSMS(t *testing.T) {
	base, m := startServer(t)
	const topic = "return.how-to-apply"
	langs := m.Locales.Languages()
	if len(langs) != 16 {
		t.Fatalf("%d interface languages, want 16", len(langs))
	}
	for _, l := range langs {
		t.Run(l.Code, func(t *testing.T) {
			a, ok := m.KB.Article(topic, l.Code)
			if !ok {
				t.Fatalf("no %s article in %s", topic, l.Code)
			}
			if n := channels.SMSSegments(channels.SMSPrepare(a.Summary)); n > 2 {
				t.Errorf("summary costs %d SMS segments, budget 2", n)
			}
			session := "sms-first-contact-" + l.Code
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/sim/events?session="+session, nil)
			stream, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Body.Close()
			// The first of the article's questions that the search takes
			// for it (search quality is measured elsewhere: here, the way
			// from first contact to an answer on SMS).
			question := ""
			for _, q := range a.Questions {
				if hits, err := m.Search.Search(ctx, q, l.Code, 1); err == nil && len(hits) == 1 && hits[0].Topic == topic {
					question = q
					break
				}
			}
			if question == "" {
				t.Fatalf("none of the %s questions of %s finds it", l.Code, topic)
			}
			body := fmt.Sprintf(`{"session":%q,"id":"1","text":%q,"surface":"sms"}`, session, question)
			res, err := http.Post(base+"/sim/send", "application/json", strings.NewReader(body))
			if err != nil || res.StatusCode != http.StatusAccepted {
				t.Fatalf("send: %v %v", res, err)
			}
			res.Body.Close()
			flat := func(s string) string { return strings.Join(strings.Fields(channels.SMSPrepare(s)), " ") }
			privacy := flat(m.Locales.Printer(l.Code).T("welcome.privacy", map[string]any{"Days": m.Config.RetentionDays}))
			summary := strings.Join(strings.Fields(channels.SMSPrepare(a.Summary)), " ")
			events := bufio.NewScanner(stream.Body)
			events.Buffer(nil, 1<<20)
			var seen []string
			for events.Scan() {
				line, ok := strings.CutPrefix(events.Text(), "data: ")
				if !ok {
					continue
				}
				var ev struct {
					Text, Lang, Dir, Surface string
					Segments                 int
				}
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					t.Fatal(err)
				}
				seen = append(seen, ev.Text)
				if ev.Lang != l.Code || ev.Surface != "sms" || ev.Dir != l.Dir {
					t.Fatalf("reply lang %q surface %q dir %q, want %q sms %q:\n%s", ev.Lang, ev.Surface, ev.Dir, l.Code, l.Dir, ev.Text)
				}
				if ev.Segments < 1 || ev.Segments > 3 && flat(ev.Text) != privacy {
					t.Fatalf("reply costs %d segments (budget 3):\n%s", ev.Segments, ev.Text)
				}
				if strings.Contains(strings.Join(strings.Fields(ev.Text), " "), summary) {
					return
				}
			}
			t.Fatalf("no reply carried the %s summary; replies:\n%s", topic, strings.Join(seen, "\n---\n"))
		})
	}
}
