package bot

import (
	"fmt"
	"strings"

	"github.com/passerelle-org/passerelle/bot/triage"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/locales/control"
	"github.com/passerelle-org/passerelle/locales/langid"
)

// Flow ids the engine starts by itself.
const (
	FlowWelcome  = "welcome"
	FlowLanguage = "language"
	FlowMenu     = "menu"
	FlowHandoff  = "handoff"
)

// maxFlowDepth stops a flow that starts flows that start it again.
const maxFlowDepth = 8

// followUps are the options offered after an answer or an apology.
func (t *turn) followUps(more bool) []Choice {
	var c []Choice
	if more {
		c = append(c, Choice{Key: "answer.more", Payload: "more"})
	}
	return append(c, Choice{Key: "answer.menu", Payload: "menu"}, Choice{Key: "answer.person", Payload: "person"})
}

// do carries out a flow's actions in order.
func (t *turn) do(acts []Action) error {
	for _, a := range acts {
		switch a.Kind {
		case ActSay:
			t.say(a.Key, nil, a.Choices...)
		case ActAnswer:
			if err := t.answer(a.Topic); err != nil {
				return err
			}
		case ActSearch:
			if l := detectLang(a.Query, t.conv.Lang); l != "" && !t.conv.LangSet {
				t.setLang(l, false)
			}
			if err := t.question(a.Query); err != nil {
				return err
			}
		case ActHandoff:
			if err := t.handoff(a.Urgent, a.Reason, a.Note, nil); err != nil {
				return err
			}
		case ActSetLang:
			t.setLang(a.Lang, true)
		case ActStartFlow:
			if err := t.startFlow(a.Flow); err != nil {
				return err
			}
		case ActEnd:
			t.conv.State.Flow, t.conv.State.Step, t.conv.State.Vars = "", "", nil
		}
	}
	return nil
}

func (t *turn) setLang(lang string, chosen bool) {
	if _, ok := t.e.Locales.Language(lang); !ok {
		return
	}
	t.conv.Lang = lang
	t.conv.LangSet = t.conv.LangSet || chosen
	t.p = t.e.Locales.Printer(lang)
}

func (t *turn) startFlow(id string) error {
	t.depth++
	if t.depth > maxFlowDepth {
		return fmt.Errorf("flow %q: flows start each other more than %d times", id, maxFlowDepth)
	}
	st, acts, err := t.e.Flows.Start(id, t.conv.State)
	if err != nil {
		return fmt.Errorf("start flow %q: %w", id, err)
	}
	t.conv.State = st
	return t.do(acts)
}

// control carries out a control word other than stop, start and delete.
func (t *turn) control(intent control.Intent) error {
	switch intent {
	case control.Menu:
		return t.startFlow(FlowMenu)
	case control.Language:
		return t.startFlow(FlowLanguage)
	case control.Person:
		return t.payload("person")
	case control.More:
		return t.more()
	case control.Help:
		t.silent = t.in.ProviderReplied
		t.say("control.help", nil, t.followUps(false)...)
		return nil
	}
	return t.question(t.clean.Text)
}

func (t *turn) stop() error {
	if err := t.tx.SetContactFlags(t.ctx, t.contact.ID, true, t.contact.Blocked); err != nil {
		return err
	}
	if !t.contact.OptedOut {
		t.say("control.stopped", nil)
	}
	t.conv.State = State{}
	return nil
}

func (t *turn) start(first bool) error {
	if t.contact.OptedOut {
		if err := t.tx.SetContactFlags(t.ctx, t.contact.ID, false, t.contact.Blocked); err != nil {
			return err
		}
		t.contact.OptedOut = false
		t.say("control.started", nil, t.followUps(false)...)
		return nil
	}
	t.conv.State = State{}
	topic := ""
	if _, ok := t.e.Articles.Topic(t.in.TopicHint); ok {
		topic = t.in.TopicHint
	}
	if topic != "" && t.in.LangHint != "" && t.conv.Lang == t.in.LangHint {
		// A poster's link named the language and the subject: welcome the
		// person in it and answer at once.
		t.say("welcome.hello", nil)
		t.say("welcome.privacy", nil)
		t.queue()
		return t.answer(topic)
	}
	if err := t.startFlow(FlowWelcome); err != nil {
		return err
	}
	t.conv.State.LastTopic = topic // "MORE" after choosing a language gives it
	return nil
}

// payload handles a chosen option outside any flow.
func (t *turn) payload(p string) error {
	switch {
	case p == "more":
		return t.more()
	case p == "menu":
		return t.startFlow(FlowMenu)
	case p == "person":
		if _, err := t.tx.OpenHandoff(t.ctx, t.conv.ID); err == nil {
			t.say("handoff.already_open", nil)
			return nil
		}
		return t.startFlow(FlowHandoff)
	case p == "delete:no":
		t.say("control.delete_cancelled", nil, t.followUps(false)...)
		return nil
	case p == "delete:yes":
		return t.deleteData()
	case strings.HasPrefix(p, "lang:"):
		t.setLang(strings.TrimPrefix(p, "lang:"), true)
		t.say("language.set", nil)
		return t.startFlow(FlowMenu)
	case strings.HasPrefix(p, "topic:"):
		return t.answer(strings.TrimPrefix(p, "topic:"))
	}
	t.say("input.invalid_choice", nil, t.followUps(false)...)
	return nil
}

// deleteData erases everything about the person, then confirms on a fresh
// contact that holds only the sealed address.
func (t *turn) deleteData() error {
	lang := t.conv.Lang
	if err := t.tx.DeleteContactData(t.ctx, t.contact.ID); err != nil {
		return err
	}
	c, conv, err := t.tx.EnsureContact(t.ctx, t.in.Channel, t.in.Address)
	if err != nil {
		return err
	}
	conv.Lang, conv.Surface = lang, t.conv.Surface
	t.contact, t.conv = c, conv
	t.say("control.deleted", nil)
	return nil
}

// urgent gives the emergency numbers at once, opens an urgent handoff, and
// adds the short answer of the topic that fits the situation (a deadline,
// detention, a minor alone) so the person knows what to do meanwhile.
func (t *turn) urgent(r triage.Result) error {
	kinds := r.Kinds
	t.conv.State = State{LastTopic: r.Topic}
	t.say("triage.urgent", nil)
	for _, k := range kinds {
		switch k {
		case triage.KindViolenceWomen:
			t.say("triage.violence_women", nil)
		case triage.KindChild:
			t.say("triage.child", nil)
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	if err := t.handoff(true, "triage", "", names); err != nil {
		return err
	}
	if r.Topic != "" && r.Topic != "safety.emergency-numbers" {
		if a := t.article(r.Topic); a != nil {
			t.queue()
			t.topic = r.Topic
			t.sayText(a.Title + "\n" + a.Summary)
		}
	}
	return nil
}

// handoff opens (or raises) the conversation's handoff and tells the person.
func (t *turn) handoff(urgent bool, reason, note string, flags []string) error {
	h, err := t.tx.CreateHandoff(t.ctx, Handoff{
		ConversationID: t.conv.ID, Status: HandoffWaiting, Urgent: urgent, Reason: reason,
		Summary: t.summary(reason, note, flags), CreatedAt: t.e.now(),
	})
	if err != nil {
		return err
	}
	t.opened = append(t.opened, h)
	t.outcome.Handoffs++
	if urgent && reason == "triage" {
		t.say("triage.urgent_handoff", nil)
	} else {
		t.say("handoff.opened", nil)
	}
	if now := t.e.now(); !t.e.Hours.Open(now) {
		next := t.e.Hours.NextOpen(now).In(t.e.Hours.Location)
		t.say("handoff.out_of_hours", map[string]any{"When": next.Format("02/01 15:04"), "Zone": t.e.Hours.Location.String()})
		if !(urgent && reason == "triage") { // the urgent path gave the numbers already
			t.say("triage.urgent", nil)
		}
	}
	return nil
}

// summary is what a caseworker reads first: no address, no guesswork.
func (t *turn) summary(reason, note string, flags []string) string {
	parts := []string{
		"lang=" + t.conv.Lang, "channel=" + string(t.in.Channel), "reason=" + reason,
	}
	if t.conv.Campaign != "" {
		parts = append(parts, "campaign="+t.conv.Campaign)
	}
	if t.conv.State.LastTopic != "" {
		parts = append(parts, "last_topic="+t.conv.State.LastTopic)
	}
	if len(flags) > 0 {
		parts = append(parts, "triage="+strings.Join(flags, ","))
	}
	s := strings.Join(parts, " · ")
	if note != "" {
		s += "\n" + note
	}
	return s
}

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
