package bot

import (
	"strings"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/locales/langid"
)

// A question: a new person's first message, a search, an answer with its
// follow-ups, or an apology.

// firstContactConfidence is how sure language identification must be of a
// first message to skip the language list.
const firstContactConfidence = 0.6

// firstContact greets a new person. When their language is clear from the
// first message (or a deep link named it), the long language list is
// skipped: they get the welcome and privacy notice in their language, then
// the answer to their question, or (saying it has no answer when it was a
// question) the menu. Otherwise the welcome flow asks them to choose.
func (t *turn) firstContact(text string) error {
	known := t.in.LangHint != "" || langid.Detect(text).Confidence >= firstContactConfidence
	if !known {
		return t.startFlow(FlowWelcome)
	}
	t.say("welcome.hello", nil)
	t.say("welcome.privacy", nil)
	t.say("language.detected", nil)
	t.queue()
	hits, err := t.search(text, t.conv.Lang)
	if err != nil || len(hits) == 0 || hits[0].Confidence < t.e.Threshold {
		if len(strings.Fields(text)) > 2 {
			// A real question with no answer: say so before the menu
			// (which offers a person), so it is not taken for one.
			t.outcome.Abstained++
			t.conv.Unanswered++
			t.say("abstain.first", nil)
		}
		return t.startFlow(FlowMenu)
	}
	return t.answer(hits[0].Topic)
}

// search looks text up in lang, reusing the search the engine made before
// the transaction when it was for the same text and language.
func (t *turn) search(text, lang string) ([]knowledge.Hit, error) {
	if p := t.pre; p != nil && p.text == text && p.lang == lang {
		return p.hits, p.err
	}
	return t.e.Search.Search(t.ctx, text, lang, 3)
}

// question searches the knowledge base and answers, or abstains.
func (t *turn) question(text string) error {
	hits, err := t.search(text, t.conv.Lang)
	if err != nil {
		t.e.log().Error("search failed; abstaining", "err", err)
	}
	if err != nil || len(hits) == 0 || hits[0].Confidence < t.e.Threshold {
		if len(strings.Fields(text)) <= 2 {
			// "salam", "hi", "ok thanks": not a question; show the way.
			return t.startFlow(FlowMenu)
		}
		return t.abstain()
	}
	return t.answer(hits[0].Topic)
}

func (t *turn) abstain() error {
	t.outcome.Abstained++
	t.conv.Unanswered++
	t.e.log().Info("question unanswered", "lang", t.conv.Lang, "unanswered", t.conv.Unanswered)
	if t.conv.Unanswered >= 2 {
		t.say("abstain.repeated", nil,
			Choice{Key: "answer.person", Payload: "person"}, Choice{Key: "answer.menu", Payload: "menu"})
		return nil
	}
	t.say("abstain.text", nil, t.followUps(false)...)
	return nil
}

// article finds the topic in the person's language, else in English, else
// French, and says so when it falls back.
func (t *turn) article(topic string) *knowledge.Article {
	for _, lang := range []string{t.conv.Lang, "en", "fr"} {
		if a, ok := t.e.Articles.Article(topic, lang); ok {
			if lang != t.conv.Lang {
				name := lang
				if l, ok := t.e.Locales.Language(lang); ok {
					name = l.Native
				}
				t.say("answer.fallback_note", map[string]any{"Language": name})
			}
			return a
		}
	}
	return nil
}

// answer sends a topic's short answer with follow-ups, and follows the
// topic's handoff policy.
func (t *turn) answer(topic string) error {
	a := t.article(topic)
	if a == nil {
		t.texts = nil
		return t.abstain()
	}
	t.outcome.Answered++
	t.conv.Unanswered = 0
	t.conv.State.LastTopic, t.conv.State.MoreShown, t.conv.State.Pending = topic, false, ""
	t.topic = topic
	policy := knowledge.HandoffNone
	if tp, ok := t.e.Articles.Topic(topic); ok {
		policy = tp.Handoff
	}
	short := a.Title + "\n" + a.Summary
	switch policy {
	case knowledge.HandoffAlways:
		t.sayText(short)
		if _, err := t.tx.OpenHandoff(t.ctx, t.conv.ID); err == nil {
			t.say("handoff.already_open", nil)
			return nil
		}
		t.say("answer.always_person", nil)
		t.queue()
		return t.startFlow(FlowHandoff)
	case knowledge.HandoffSuggest:
		t.sayText(short)
		t.say("answer.offer_person", nil, t.followUps(true)...)
	default:
		t.sayText(short, t.followUps(true)...)
	}
	return nil
}

// more sends the rest of a long SMS, or the full article last answered with
// its sources and verification date.
func (t *turn) more() error {
	st := &t.conv.State
	if st.Pending != "" {
		rest := st.Pending
		st.Pending = ""
		t.paging = true
		t.sayText(rest)
		t.queue()
		return nil
	}
	if st.LastTopic == "" || st.MoreShown {
		t.say("answer.no_more", nil, t.followUps(false)...)
		return nil
	}
	a := t.article(st.LastTopic)
	if a == nil {
		t.say("answer.no_more", nil, t.followUps(false)...)
		return nil
	}
	st.MoreShown = true
	t.topic = st.LastTopic
	parts := []string{strings.TrimSpace(strings.ReplaceAll(a.Body, "**", ""))}
	if len(a.Sources) > 0 {
		parts = append(parts, t.p.T("answer.sources", map[string]any{
			"Sources": strings.Join(a.Sources, " "), "Date": a.Verified.Format("2006-01-02"),
		}))
	}
	if !a.Reviewed && a.Lang != "en" && a.Lang != "fr" {
		parts = append(parts, t.p.T("answer.not_reviewed", nil))
	}
	// One text, so on SMS "MORE" pages through body, sources and note in order.
	t.sayText(strings.Join(parts, "\n\n"))
	t.offer(t.followUps(false)...)
	return nil
}
