package bot

import (
	"fmt"
	"strings"

	"github.com/passerelle-org/passerelle/bot/triage"
	"github.com/passerelle-org/passerelle/locales/control"
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
