package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/passerelle-org/passerelle/bot/triage"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/locales"
	"github.com/passerelle-org/passerelle/locales/langid"
)

// Articles gives the engine the knowledge base's content: the article for a
// topic in a language, and the topic's handoff policy.
type Articles interface {
	Article(topic, lang string) (*knowledge.Article, bool)
	Topic(id string) (knowledge.Topic, bool)
}

// Engine routes one inbound message to its replies, in the order the
// architecture gives: dedupe, control words, safety triage, caseworker
// hold, active flow, question and answer. Replies are written to the outbox
// in the same transaction as the inbound record; a Worker sends them.
type Engine struct {
	Store     Store
	Flows     Flows
	Search    knowledge.Searcher
	Articles  Articles
	Locales   *locales.Catalog
	Triage    *triage.Triage
	Log       *slog.Logger
	Clock     func() time.Time
	Threshold float64 // minimum hit confidence to answer; below it the bot abstains
	// RetentionDays is told to people in the privacy notice.
	RetentionDays int
	// Delivered is called after each committed inbound message (it may
	// have queued replies, or released held ones), to wake the outbox
	// worker. It may be nil.
	Delivered func()
	// OnHandoff is called after a commit that opened a handoff (alerts). It
	// may be nil.
	OnHandoff func(Handoff)
	// OnInbound is called after a new inbound message was committed, with
	// its conversation id, so an open console page can show it. It may be
	// nil.
	OnInbound func(conversationID int64)
	// OnTurn is called after each committed inbound message with what the
	// engine made of it (for metrics: channel, language and counts, never
	// text or addresses). It may be nil.
	OnTurn func(Outcome)
	// Hours are when caseworkers work; outside them a new handoff tells
	// the person when to expect a reply, with the emergency numbers. Nil
	// means always.
	Hours *WorkingHours
	// MaxSearches bounds the searches running at once (0 = GOMAXPROCS).
	// A search is CPU work: beyond one per core, more at once only makes
	// each take longer. Queued in arrival order, a burst of webhooks is
	// served first come first done, instead of all of them slowing down
	// together (which made the latency's long tail).
	MaxSearches int

	searchOnce  sync.Once
	searchSlots chan struct{}
}

// searchSlot waits for a free search slot (see MaxSearches) and returns
// the func that frees it, or ctx's error.
func (e *Engine) searchSlot(ctx context.Context) (func(), error) {
	e.searchOnce.Do(func() {
		n := e.MaxSearches
		if n <= 0 {
			n = runtime.GOMAXPROCS(0)
		}
		e.searchSlots = make(chan struct{}, n)
	})
	select {
	case e.searchSlots <- struct{}{}:
		return func() { <-e.searchSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Outcome is what the engine did with one inbound message, for metrics.
// It carries no text and no address.
type Outcome struct {
	Channel Channel
	// Lang is the conversation's language after the turn ("" when the
	// person's data was just deleted).
	Lang string
	// Queued counts the replies written to the outbox.
	Queued int
	// Answered and Abstained count questions answered from the knowledge
	// base and questions the bot could not answer; Handoffs counts
	// handoffs opened or raised.
	Answered, Abstained, Handoffs int
}

// MaxRunes is the longest message the engine reads; the rest is cut and the
// person is told.
const MaxRunes = 2000

// Handle processes one inbound message. A duplicate (same channel and
// provider message id) is ignored and returns nil. An error means nothing
// was recorded, so the provider may safely retry.
func (e *Engine) Handle(ctx context.Context, in Inbound) error {
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = e.now()
	}
	clean := cleanInput(in.Text)
	in.Text = clean.Text
	pre := e.prefetch(ctx, in, clean)
	var opened []Handoff
	var convID int64
	var outcome Outcome
	err := e.Store.InTx(ctx, func(tx Tx) error {
		contact, conv, err := tx.RecordInbound(ctx, in)
		if err != nil {
			return err
		}
		t := &turn{e: e, ctx: ctx, tx: tx, in: in, clean: clean, contact: contact, conv: conv, pre: pre}
		convID = conv.ID
		if err := t.route(); err != nil {
			return err
		}
		if err := t.flush(); err != nil {
			return err
		}
		if !t.deleted {
			t.conv.UpdatedAt = e.now()
			if err := tx.SaveConversation(ctx, t.conv); err != nil {
				return err
			}
		}
		opened = t.opened
		outcome = t.outcome
		outcome.Channel, outcome.Lang, outcome.Queued = in.Channel, t.conv.Lang, t.queued
		return nil
	})
	if errors.Is(err, ErrDuplicate) {
		e.log().Debug("duplicate inbound ignored", "channel", in.Channel)
		return nil
	}
	if err != nil {
		return fmt.Errorf("handle inbound: %w", err)
	}
	// Wake the worker even when this turn queued nothing: the person's
	// message may have released replies held for a closed window.
	if e.Delivered != nil {
		e.Delivered()
	}
	if e.OnInbound != nil {
		e.OnInbound(convID)
	}
	if e.OnTurn != nil {
		e.OnTurn(outcome)
	}
	for _, h := range opened {
		if e.OnHandoff != nil {
			e.OnHandoff(h)
		}
	}
	return nil
}

// prefetch searches a free-text message before the transaction, in the
// language it is detected in (or the deep link's), as most turns will.
func (e *Engine) prefetch(ctx context.Context, in Inbound, c cleaned) *prefetch {
	if in.Payload != "" || c.Text == "" || c.NoWords {
		return nil
	}
	lang := in.LangHint
	if r := langid.Detect(c.Text); r.Lang != "" {
		lang = r.Lang
	}
	if lang == "" {
		return nil
	}
	done, err := e.searchSlot(ctx)
	if err != nil {
		return nil // the turn searches again if it needs to, and fails there
	}
	hits, err := e.Search.Search(ctx, c.Text, lang, 3)
	done()
	return &prefetch{text: c.Text, lang: lang, hits: hits, err: err}
}

func (e *Engine) now() time.Time {
	if e.Clock != nil {
		return e.Clock().UTC()
	}
	return time.Now().UTC()
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Understanding is what the engine makes of one message on its own, with no
// conversation history: the evaluation runs exactly this path.
type Understanding struct {
	Lang   string
	Urgent bool
	Kinds  []triage.Kind
	Hits   []knowledge.Hit // ranked; empty or below threshold means abstain
	Answer string          // topic the engine would answer, "" when it abstains
}

// Understand identifies the language, triages and searches one message.
// An urgent message is answered the way the engine answers it in a turn:
// with the topic the triage chose (its short answer follows the emergency
// numbers), whatever the search found; that topic is moved first among the
// hits.
func (e *Engine) Understand(ctx context.Context, text string) (Understanding, error) {
	c := cleanInput(text)
	lang := detectLang(c.Text, "")
	u := Understanding{Lang: lang}
	tr := e.Triage.Assess(c.Text, lang)
	u.Urgent, u.Kinds = tr.Urgent, tr.Kinds
	if c.Text == "" {
		return u, nil
	}
	hits, err := e.Search.Search(ctx, c.Text, searchLang(lang), 10)
	if err != nil {
		return u, fmt.Errorf("understand: %w", err)
	}
	u.Hits = hits
	if tr.Urgent && tr.Topic != "" {
		u.Answer = tr.Topic
		u.Hits = promote(hits, tr.Topic, lang)
		return u, nil
	}
	if len(hits) > 0 && hits[0].Confidence >= e.Threshold {
		u.Answer = hits[0].Topic
	}
	return u, nil
}

// promote returns hits with topic first: moved there when the search found
// it, added with full confidence when it did not.
func promote(hits []knowledge.Hit, topic, lang string) []knowledge.Hit {
	out := make([]knowledge.Hit, 0, len(hits)+1)
	first := knowledge.Hit{Topic: topic, Lang: lang, Confidence: 1}
	for _, h := range hits {
		if h.Topic == topic {
			first = h
		}
	}
	out = append(out, first)
	for _, h := range hits {
		if h.Topic != topic {
			out = append(out, h)
		}
	}
	return out
}
