package main

import (
	"strconv"
	"strings"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
	"github.com/passerelle-org/passerelle/channels/telegram"
	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// outboxReplies is what the outbox says each person should have
// received, in the shape each double can be compared with.
type outboxReplies struct {
	tgSent  map[int64]map[string]int  // chat -> text part -> rows recorded as sent
	tgAny   map[int64]map[string]int  // the same over rows in any state
	tgRetry map[int64]map[string]bool // chat -> part of a row claimed more than once
	sids    map[string]recorded       // Twilio SID recorded as sent -> its reply
	pending map[*person]bool          // people with replies not yet sent
}

// recorded is a Twilio reply the outbox records as sent.
type recorded struct {
	p       *person
	retried bool
}

func newOutboxReplies() *outboxReplies {
	return &outboxReplies{tgSent: map[int64]map[string]int{}, tgAny: map[int64]map[string]int{},
		tgRetry: map[int64]map[string]bool{}, sids: map[string]recorded{}, pending: map[*person]bool{}}
}

// add takes outbox row o of person p. On Telegram a reply goes as the
// parts the service splits it into (4096 UTF-16 units each); on Twilio the
// row records the SID of its last part.
func (e *outboxReplies) add(p *person, o row) {
	sent := o.stat == "sent"
	if !sent {
		e.pending[p] = true
	}
	if p.Channel != bot.ChannelTelegram {
		if sent {
			e.sids[o.pid] = recorded{p, o.attempts > 1}
		}
		return
	}
	if e.tgAny[p.Chat] == nil {
		e.tgAny[p.Chat], e.tgSent[p.Chat], e.tgRetry[p.Chat] = map[string]int{}, map[string]int{}, map[string]bool{}
	}
	for _, part := range channels.Split(o.text, telegram.MaxText, channels.UTF16Len) {
		e.tgAny[p.Chat][part]++
		if sent {
			e.tgSent[p.Chat][part]++
		}
		e.tgRetry[p.Chat][part] = e.tgRetry[p.Chat][part] || o.attempts > 1
	}
}

// compareTelegram holds each chat's received texts against the outbox:
// every part of a sent reply arrived as often as the outbox holds it, and
// no text arrived more often than rows in any state hold it (a reply not
// yet recorded as sent may already have arrived).
func (v *Verdict) compareTelegram(e *outboxReplies, people []*person, calls []telegramtest.Call) {
	ours := map[int64]bool{}
	for _, p := range people {
		if p.Channel == bot.ChannelTelegram {
			ours[p.Chat] = true
		}
	}
	got := map[int64]map[string]int{}
	for _, c := range calls {
		if c.Method != "sendMessage" || c.MessageID == 0 {
			continue
		}
		chat, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
		if !ours[chat] {
			continue
		}
		v.AtDoubles++
		if got[chat] == nil {
			got[chat] = map[string]int{}
		}
		got[chat][c.Params["text"]]++
	}
	for chat := range ours {
		for text, n := range e.tgSent[chat] {
			if g := got[chat][text]; g < n {
				v.Missing += n - g
				v.problem("telegram chat %d: a reply expected %d times arrived %d times", chat, n, g)
			}
		}
		for text, g := range got[chat] {
			if n := e.tgAny[chat][text]; g > n {
				v.Doubled += g - n
				if e.tgRetry[chat][text] {
					v.DoubledInFlight += g - n
				}
				v.problem("telegram chat %d: a reply arrived %d times, expected %d: %.40q", chat, g, n, text)
			}
		}
	}
}

// compareTwilio walks each recipient's messages in arrival order (the
// service sends one reply per person at a time). Each recorded SID must
// be there, to that person; the messages since the previous recorded one
// are its earlier parts, so a body repeated among them is a reply sent
// twice, and messages after the last recorded one are doubled unless the
// person still has replies not recorded as sent.
func (v *Verdict) compareTwilio(e *outboxReplies, byAddr map[string]*person, msgs []twiliotest.Message) {
	type msg struct {
		sid, body string
		p         *person
	}
	byTo := map[string][]msg{}
	for _, m := range msgs {
		p := byAddr[string(bot.ChannelSMS)+"|"+m.To]
		if to, ok := strings.CutPrefix(m.To, "whatsapp:"); ok {
			p = byAddr[string(bot.ChannelWhatsApp)+"|"+to]
		}
		if p == nil {
			continue
		}
		v.AtDoubles++
		byTo[m.To] = append(byTo[m.To], msg{m.SID, m.Body, p})
	}
	found := map[string]bool{}
	for to, ms := range byTo {
		group, size, dups := map[string]int{}, 0, 0
		for _, m := range ms {
			group[m.body]++
			size++
			if group[m.body] > 1 {
				dups++
				v.Doubled++
				v.problem("twilio %s: a message body repeated before its reply was recorded: %.40q", to, m.body)
			}
			if rec, ok := e.sids[m.sid]; ok {
				if rec.p != m.p {
					v.problem("twilio %s: recorded message %s went to another person", to, m.sid)
					v.Missing++
				}
				if rec.retried {
					v.DoubledInFlight += dups
				}
				found[m.sid] = true
				group, size, dups = map[string]int{}, 0, 0
			}
		}
		if extra := size - dups; extra > 0 && !e.pending[ms[0].p] {
			v.Doubled += extra
			v.problem("twilio %s: %d message(s) after the last recorded reply", to, extra)
		}
	}
	for sid, rec := range e.sids {
		if !found[sid] {
			v.Missing++
			v.problem("person %d: reply %s recorded as sent never reached the double", rec.p.ID, sid)
		}
	}
}
