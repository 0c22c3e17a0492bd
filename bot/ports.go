package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ActionKind names what a flow asks the engine to do.
type ActionKind string

// Flow actions, carried out by the Engine in order.
const (
	ActSay       ActionKind = "say"        // send message Key, with Choices if any
	ActAnswer    ActionKind = "answer"     // answer Topic from the knowledge base
	ActSearch    ActionKind = "search"     // treat Query as a free-text question
	ActHandoff   ActionKind = "handoff"    // open a handoff (Urgent, Reason, Note)
	ActSetLang   ActionKind = "set_lang"   // set the conversation's language to Lang
	ActStartFlow ActionKind = "start_flow" // start flow Flow from its first step
	ActEnd       ActionKind = "end"        // the flow is over; no flow is active
)

// Choice is an option a flow offers, before localisation: Label is literal
// text shown as is (a language's own name), otherwise Key is a message key.
type Choice struct {
	Payload string
	Key     string
	Label   string
}

// Action is one thing a flow step asks the engine to do.
type Action struct {
	Kind    ActionKind
	Key     string   // ActSay: message key
	Choices []Choice // ActSay: options to offer with the message
	Topic   string   // ActAnswer
	Query   string   // ActSearch
	Lang    string   // ActSetLang
	Flow    string   // ActStartFlow
	Urgent  bool     // ActHandoff
	Reason  string   // ActHandoff: why ("person", "topic:<id>", ...)
	Note    string   // ActHandoff: what the person said they need, if asked
}

// FlowInput is what the person sent while a flow is active: the payload of
// the option chosen (a button, or a number already mapped back), or text.
type FlowInput struct {
	Payload string
	Text    string
}

// Flows runs conversation flows; flows.Set implements it. Both calls are
// pure: no I/O, the same inputs give the same outputs.
type Flows interface {
	// Start begins flow id; the returned state has Flow and Step set (or is
	// empty when the flow ended at once).
	Start(id string, st State) (State, []Action, error)
	// Step feeds input to the active flow in st.
	Step(st State, in FlowInput) (State, []Action, error)
}

// SendErrorKind tells the outbox worker what to do after a failed send.
type SendErrorKind int

// Kinds of send failure.
const (
	SendRetry     SendErrorKind = iota // try again later (429, 5xx, network)
	SendPermanent                      // will never work (bad address, 4xx)
	SendBlocked                        // the person blocked the bot
	SendOptedOut                       // the person opted out (SMS STOP, 21610)
	// SendHeld: the message cannot go now (the WhatsApp 24-hour window is
	// closed); it waits until the person writes again. The Sender may
	// return the provider id of what it sent instead (a template telling
	// the person a reply is waiting) with this error.
	SendHeld
)

// SendError is a typed failure from a Sender.
type SendError struct {
	Kind       SendErrorKind
	RetryAfter time.Duration // provider's hint, zero if none
	Err        error
}

func (e *SendError) Error() string { return fmt.Sprintf("send: %v", e.Err) }
func (e *SendError) Unwrap() error { return e.Err }

// SendErrorKindOf returns the kind of err; errors that are not SendErrors
// are retried.
func SendErrorKindOf(err error) (SendErrorKind, time.Duration) {
	var se *SendError
	if errors.As(err, &se) {
		return se.Kind, se.RetryAfter
	}
	return SendRetry, 0
}

// Sender delivers one outbound message on its channel and returns the
// provider's message id.
type Sender interface {
	Send(ctx context.Context, o Outbound) (providerID string, err error)
}
