package flows

import (
	"errors"

	"github.com/passerelle-org/passerelle/bot"
)

// What free text does at a step with options (Step.OnText). Any other value
// names the step to go to.
const (
	OnTextSearch  = "search"  // treat the text as a question and end the flow
	OnTextInvalid = "invalid" // say KeyInvalidChoice and offer the options again
)

// KeyInvalidChoice is the message said, with the options again, when free
// text arrives at a step whose on_text is "invalid".
const KeyInvalidChoice = "input.invalid_choice"

// MaxPayload is the longest option id, in bytes: Telegram's limit for a
// button's callback data.
const MaxPayload = 64

// MaxVarLen is the most runes of free text a wait step keeps in its variable;
// the rest is cut off so the conversation state stays small.
const MaxVarLen = 1000

// Errors Start and Step wrap. An engine that gets ErrStale or ErrNotFound
// should drop the flow state and treat the input as a question: the flow
// files changed since the state was saved.
var (
	// ErrNotFound: no flow has this id.
	ErrNotFound = errors.New("flow not found")
	// ErrStale: the state does not point to a step of this flow that waits
	// for input.
	ErrStale = errors.New("flow state does not match the flow")
	// ErrBroken: the flow runs into a dead end or loops without waiting;
	// Validate reports these before they can happen.
	ErrBroken = errors.New("flow is broken")
)

// Flow is one parsed flow file. Build it with Parse, check it with
// Validate, run it with Start and Step (or through a Set).
type Flow struct {
	ID          string
	Description string
	Start       string              // name of the first step
	Steps       map[string]*StepDef // by name
	Order       []string            // step names in file order
	File        string              // name given to Parse, for messages
	Line        int                 // line of the id, 0 if unknown
}

// StepDef is one named step of a flow. Entering a step says its messages, runs
// its actions, then either pauses (Options or Wait) or moves on (Branch,
// Next), unless an action ended the flow.
type StepDef struct {
	Name    string
	Line    int
	SameAs  string   // "flow/step" or "step" whose definition this step copies
	Say     []string // message keys, said in order
	Do      []Act    // actions run after Say
	Options []Option // choices offered with the last Say message
	Save    string   // var that receives the chosen option's value
	OnText  string   // OnTextSearch, OnTextInvalid or a step name
	Wait    string   // var that receives the next free text
	Next    string   // the step that follows (for options: the default)
	Branch  *Branch  // choose the next step by a var's value

	sayLines []int          // line of each Say key, when parsed
	lines    map[string]int // line of each field, when parsed
	copied   bool           // SameAs has been resolved
}

// line is the line of a field of the step, or of the step.
func (s *StepDef) line(field string) int {
	if n := s.lines[field]; n > 0 {
		return n
	}
	return s.Line
}

// sayLine is the line of the i-th Say key.
func (s *StepDef) sayLine(i int) int {
	if i < len(s.sayLines) {
		return s.sayLines[i]
	}
	return s.Line
}

// pauses reports whether the step waits for the person.
func (s *StepDef) pauses() bool { return len(s.Options) > 0 || s.Wait != "" }

// Option is one choice a step offers.
type Option struct {
	ID    string            // payload sent back when chosen
	Key   string            // message key of the label
	Label string            // literal label, shown as is
	Value string            // what Save stores; the ID when empty
	Set   map[string]string // vars set when chosen
	Next  string            // step to go to; the step's Next when empty
	Do    []Act             // actions run when chosen, before Next
	Line  int
}

// value is what choosing o stores in the step's Save var.
func (o *Option) value() string {
	if o.Value != "" {
		return o.Value
	}
	return o.ID
}

// Branch picks the next step from the value of a var ("input" is what the
// person just sent). Values compare trimmed and case-insensitively.
type Branch struct {
	On    string
	Cases []Case
	Else  string
	Line  int
}

// Case is one value of a Branch and the step it leads to.
type Case struct {
	Value string
	Next  string
}

// Act is one action as written in a flow file. Arg is the message key
// (say), topic id (answer), query (search), language code (set_lang) or flow
// id (start). Strings other than say and start may hold {{var}} references.
type Act struct {
	Kind   bot.ActionKind
	Arg    string
	Urgent string // handoff: "true"/"yes" or a {{var}} holding it
	Reason string // handoff: defaults to "person"
	Note   string // handoff: usually "{{note}}"
	Line   int
}

// ends reports whether the action ends the flow (end or start).
func (a Act) ends() bool { return a.Kind == bot.ActEnd || a.Kind == bot.ActStartFlow }

// endsFlow reports whether a list of actions ends the flow.
func endsFlow(acts []Act) bool {
	return len(acts) > 0 && acts[len(acts)-1].ends()
}
