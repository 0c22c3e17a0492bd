package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/passerelle-org/passerelle/channels"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/locales"
	"github.com/passerelle-org/passerelle/locales/control"
)

// smsBudget is how many segments one SMS reply may cost before the rest is
// held back for "MORE".
const smsBudget = 3

// turn is the handling of one inbound message inside its transaction.
type turn struct {
	e       *Engine
	ctx     context.Context
	tx      Tx
	in      Inbound
	clean   cleaned
	contact Contact
	conv    Conversation
	p       *locales.Printer

	texts   []string // said but not yet queued
	topic   string   // topic of the texts, for the transcript
	options []Option // offered with the last queued message
	offered bool     // a message with options was queued this turn
	sent    bool     // anything was queued this turn
	depth   int      // flow-start nesting guard

	opened  []Handoff
	queued  int
	outcome Outcome // what the turn made of the message, for metrics
	deleted bool
	err     error // first error from queue, returned by flush
	pre     *prefetch
	paging  bool // sending the rest of a cut message: offered options stay valid
	silent  bool // the provider answered already: nothing is sent (Inbound.ProviderReplied)
}

// prefetch is a search made before the write transaction, for the language
// the text most likely is in, so the single SQLite writer is not held while
// searching. The turn uses it only when it searches the same text in the
// same language.
type prefetch struct {
	text, lang string
	hits       []knowledge.Hit
	err        error
}

// route is the architecture's order of handling.
func (t *turn) route() error {
	conv := &t.conv
	if t.in.Surface != "" {
		conv.Surface = t.in.Surface
	} else if conv.Surface == "" {
		conv.Surface = defaultSurface(t.in.Channel)
	}
	if t.in.Campaign != "" && conv.Campaign == "" {
		conv.Campaign = t.in.Campaign
	}
	first := conv.Lang == ""
	if first && t.in.LangHint != "" {
		if _, ok := t.e.Locales.Language(t.in.LangHint); ok {
			conv.Lang = t.in.LangHint
		}
	}
	text := t.clean.Text
	payload := t.resolvePayload(t.in.Payload, text)

	intent, ok := control.Intent(""), false
	if payload == "" {
		var wordLang string
		if conv.Lang == "" {
			intent, wordLang, ok = control.Match(text)
		} else {
			intent, wordLang, ok = control.MatchIn(text, conv.Lang)
		}
		if ok && conv.Lang == "" && wordLang != "" {
			conv.Lang = wordLang
		}
		if ok && intent == control.Yes && t.contact.OptedOut && !control.Shared(text) {
			// After STOP, YES opts back in as it does for SMS carriers and
			// Twilio; a shared "ok" (read as acknowledging the stop) does not.
			intent = control.Start
		}
		if ok && (intent == control.Yes || intent == control.No) {
			// yes/no answer an offered option; otherwise they are plain
			// text (a flow waiting for free text takes them as they are).
			payload, ok = t.optionFor(string(intent)), false
		}
	}
	if payload == "" && !ok && text != "" {
		if l := detectLang(text, conv.Lang); l != "" {
			conv.Lang = l
		}
	}
	if conv.Lang == "" {
		conv.Lang = "en"
	}
	t.p = t.e.Locales.Printer(conv.Lang)

	// Opt-out and data deletion work whatever else is going on.
	if ok {
		switch intent {
		case control.Stop:
			t.silent = t.in.ProviderReplied
			return t.stop()
		case control.Start:
			// Twilio's confirmation stands for ours when the person opts
			// back in; a first START still gets the welcome.
			t.silent = t.in.ProviderReplied && t.contact.OptedOut
			return t.start(first)
		case control.Delete:
			if !t.contact.OptedOut {
				conv.State = State{}
				t.say("control.delete_confirm", nil,
					Choice{Key: "control.delete_yes", Payload: "delete:yes"},
					Choice{Key: "control.delete_no", Payload: "delete:no"})
			}
			return nil
		}
	}
	if t.contact.OptedOut {
		return nil // recorded; nothing is sent until START
	}
	if payload == "delete:yes" || payload == "delete:no" {
		return t.payload(payload)
	}

	// Safety triage: emergency numbers at once and an urgent handoff.
	if payload == "" && text != "" {
		if r := t.e.Triage.Assess(text, conv.Lang); r.Urgent {
			return t.urgent(r)
		}
	}

	// A conversation held by a caseworker: the bot stays silent.
	if _, err := t.tx.OpenHandoff(t.ctx, conv.ID); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}

	if text == "" && payload == "" {
		switch {
		case len(t.in.Media) > 0:
			t.say("input.media", nil)
		case t.clean.Invalid || t.clean.Controls:
			t.say("input.unreadable", nil)
		default:
			t.say("input.empty", nil)
		}
		return nil
	}
	if t.clean.NoWords && payload == "" {
		t.say("input.emoji_only", nil, t.followUps(false)...)
		return nil
	}
	if t.clean.Truncated {
		t.say("input.too_long", nil)
	}
	if ok {
		return t.control(intent)
	}
	if conv.State.Flow != "" {
		st, acts, err := t.e.Flows.Step(conv.State, FlowInput{Payload: payload, Text: text})
		if err != nil {
			t.e.log().Warn("flow step failed; leaving flow", "flow", conv.State.Flow, "err", err)
			conv.State.Flow, conv.State.Step = "", ""
		} else {
			conv.State = st
			return t.do(acts)
		}
	}
	if payload != "" {
		return t.payload(payload)
	}
	if first {
		return t.firstContact(text)
	}
	return t.question(text)
}

// resolvePayload maps a number ("2") or an option's exact label to the
// payload of the option last offered.
func (t *turn) resolvePayload(payload, text string) string {
	if payload != "" {
		return payload
	}
	opts := t.conv.State.Options
	s := strings.TrimSpace(text)
	if n, err := strconv.Atoi(toASCIIDigits(s)); err == nil && n >= 1 && n <= len(opts) {
		return opts[n-1].Payload
	}
	for _, o := range opts {
		if s != "" && strings.EqualFold(s, o.Label) {
			return o.Payload
		}
	}
	return ""
}

// optionFor finds the offered option whose payload means yes or no.
func (t *turn) optionFor(word string) string {
	for _, o := range t.conv.State.Options {
		if o.Payload == word || strings.HasSuffix(o.Payload, ":"+word) {
			return o.Payload
		}
	}
	return ""
}

// toASCIIDigits turns Arabic-Indic, Persian, Devanagari and other decimal
// digits into ASCII, so "۲" picks option 2.
func toASCIIDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		for _, zero := range []rune{0x660, 0x6F0, 0x966, 0xA66, 0x10E0} {
			if r >= zero && r <= zero+9 {
				return '0' + (r - zero)
			}
		}
		return r
	}, s)
}

func defaultSurface(ch Channel) Surface {
	switch ch {
	case ChannelSMS:
		return SurfaceSMS
	case ChannelWhatsApp:
		return SurfaceWhatsApp
	}
	return SurfaceTelegram
}

// wholeKeys are messages never cut for the SMS budget: the privacy
// notice, what a caseworker will see, and the emergency numbers must reach
// the person in full, whatever they cost.
var wholeKeys = map[string]bool{
	"welcome.privacy": true, "handoff.explain": true, "triage.urgent": true,
	"triage.violence_women": true, "triage.child": true, "triage.urgent_handoff": true,
}

// say adds a localised message; with choices it closes the message and
// offers them.
func (t *turn) say(key string, data map[string]any, choices ...Choice) {
	if data == nil {
		data = map[string]any{}
	}
	if _, ok := data["Days"]; !ok {
		data["Days"] = t.e.RetentionDays
	}
	text := t.p.T(key, data)
	if t.conv.Surface == SurfaceSMS && wholeKeys[key] && len(choices) == 0 {
		t.queue()
		if err := t.write(channels.SMSPrepare(text), nil); err != nil && t.err == nil {
			t.err = err
		}
		return
	}
	t.sayText(text, choices...)
}

// sayText adds literal text (an article) to the message being built.
func (t *turn) sayText(text string, choices ...Choice) {
	t.texts = append(t.texts, text)
	if len(choices) > 0 {
		t.options = t.localise(choices)
		t.queue()
	}
}

// offer closes the message being built with choices.
func (t *turn) offer(choices ...Choice) {
	t.options = t.localise(choices)
	t.queue()
}

func (t *turn) localise(choices []Choice) []Option {
	out := make([]Option, 0, len(choices))
	for _, c := range choices {
		label := c.Label
		if label == "" {
			label = t.p.T(c.Key, nil)
		}
		out = append(out, Option{Label: label, Payload: c.Payload})
	}
	return out
}

// queue closes the message being built; flush writes queued messages.
// On SMS, parts that together exceed the segment budget are sent as
// separate messages (so a privacy notice is never cut mid-sentence); only
// a part too long on its own is cut, with "reply MORE" for the rest.
func (t *turn) queue() {
	if len(t.texts) == 0 {
		return
	}
	parts := t.texts
	t.texts = nil
	opts := t.options
	t.options = nil
	if t.conv.Surface == SurfaceSMS && len(parts) > 1 &&
		channels.SMSSegments(channels.SMSPrepare(strings.Join(parts, "\n\n"))) > smsBudget {
		for _, p := range parts[:len(parts)-1] {
			if err := t.enqueue(p, nil); err != nil && t.err == nil {
				t.err = err
			}
		}
		parts = parts[len(parts)-1:]
	}
	if err := t.enqueue(strings.Join(parts, "\n\n"), opts); err != nil && t.err == nil {
		t.err = err
	}
}

// flush queues what is left and records the offered options in the state.
func (t *turn) flush() error {
	t.queue()
	if t.err != nil {
		return t.err
	}
	if t.sent && !t.offered && !t.paging {
		t.conv.State.Options = nil
	}
	return nil
}

// enqueue writes one message to the transcript and the outbox. On SMS the
// options become numbered lines, and the text is fitted to the segment
// budget with "reply MORE" for the rest; a list of options is never cut: when
// text and list together are over budget, the list goes in its own message.
func (t *turn) enqueue(text string, opts []Option) error {
	if t.conv.Surface != SurfaceSMS {
		return t.write(text, opts)
	}
	text = channels.SMSPrepare(text)
	list := ""
	if len(opts) > 0 {
		var b strings.Builder
		b.WriteString(t.p.T("answer.choose_number", nil))
		for i, o := range opts {
			fmt.Fprintf(&b, "\n%d. %s", i+1, o.Label)
		}
		list = channels.SMSPrepare(b.String())
		if channels.SMSSegments(text+"\n\n"+list) <= smsBudget {
			return t.write(text+"\n\n"+list, opts)
		}
	}
	suffix := "\n" + channels.SMSPrepare(t.p.T("answer.sms_more", nil))
	head, rest := channels.FitSMS(text, smsBudget, suffix)
	if rest != "" {
		head += suffix
	}
	if rest != "" {
		t.conv.State.Pending = rest // MORE continues the last cut message
	}
	if list == "" {
		return t.write(head, nil)
	}
	if err := t.write(head, nil); err != nil {
		return err
	}
	// A long list (16 languages in their own scripts) is paged like any
	// text: the numbers run on across pages, and all of them keep working.
	listHead, listRest := channels.FitSMS(list, smsBudget, suffix)
	if listRest != "" {
		listHead += suffix
		t.conv.State.Pending = strings.TrimSpace(rest + "\n\n" + listRest)
	}
	return t.write(listHead, opts)
}

// write records a bot message and queues it for delivery.
func (t *turn) write(text string, opts []Option) error {
	if t.silent {
		return nil // the provider has answered already (Inbound.ProviderReplied)
	}
	if t.conv.Surface != SurfaceSMS {
		t.conv.State.Pending = ""
	}
	err := t.tx.Reply(t.ctx, Message{ConversationID: t.conv.ID, Direction: FromBot, Text: text, Topic: t.topic}, Outbound{
		ContactID: t.contact.ID, ConversationID: t.conv.ID, Channel: t.in.Channel,
		Surface: t.conv.Surface, Lang: t.conv.Lang, Text: text, Options: opts,
	})
	if err != nil {
		return err
	}
	t.queued++
	t.sent = true
	if len(opts) > 0 {
		t.offered = true
		t.conv.State.Options = opts
	}
	t.topic = ""
	return nil
}
