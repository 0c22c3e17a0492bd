package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/triage"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
)

// questionPool holds, per language, questions from the knowledge base the
// bot answers on its own: the example questions of topics that do not
// always hand off to a caseworker, without safety topics and without any
// question the triage finds urgent (an urgent message opens a handoff,
// after which the bot rightly stays silent, which would blur "every
// message gets a reply").
type questionPool map[string][]string

// loadQuestions reads the embedded articles and keeps the languages with
// at least min usable questions.
func loadQuestions(min int) (questionPool, error) {
	kb, err := knowledge.Load(articles.FS)
	var probs knowledge.Problems
	if err != nil && (!errors.As(err, &probs) || kb == nil) {
		return nil, fmt.Errorf("load knowledge base: %w", err)
	}
	tri, err := triage.New()
	if err != nil {
		return nil, err
	}
	pool := questionPool{}
	for _, a := range kb.Articles() {
		t, ok := kb.Topic(a.Topic)
		if !ok || t.Handoff == knowledge.HandoffAlways || strings.HasPrefix(a.Topic, "safety.") ||
			strings.HasPrefix(a.Topic, "meta.") || a.Topic == "caseworker.contact" {
			continue
		}
		for _, q := range a.Questions {
			q = strings.TrimSpace(q)
			if len([]rune(q)) < 8 || tri.Assess(q, a.Lang).Urgent {
				continue
			}
			pool[a.Lang] = append(pool[a.Lang], q)
		}
	}
	for lang, qs := range pool {
		slices.Sort(qs)
		qs = slices.Compact(qs)
		if len(qs) < min {
			delete(pool, lang)
			continue
		}
		pool[lang] = qs
	}
	if len(pool) == 0 {
		return nil, errors.New("no language has enough questions in the knowledge base")
	}
	return pool, nil
}

// langs is the pool's languages, sorted.
func (p questionPool) langs() []string {
	out := make([]string, 0, len(p))
	for l := range p {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// person is one simulated migrant on one channel. Address is what the
// service stores as the contact's address: the Telegram chat id, or the
// E.164 number (without "whatsapp:").
type person struct {
	ID      int
	Channel bot.Channel
	Address string
	Chat    int64 // Telegram chat id
	Lang    string
	// questions are this person's messages, in order, all distinct.
	questions []string
}

// mix is the share of people on each channel.
type mix struct{ Telegram, SMS, WhatsApp float64 }

// makePeople creates n people spread over the channels by m and over the
// languages of pool, each with perPerson distinct questions in their
// language. base keeps chat ids and numbers apart from other runs on the
// same database.
func makePeople(n, perPerson int, m mix, pool questionPool, base int64, rng *rand.Rand) []*person {
	langs := pool.langs()
	total := m.Telegram + m.SMS + m.WhatsApp
	out := make([]*person, n)
	for i := range out {
		p := &person{ID: i, Lang: langs[i%len(langs)]}
		switch f := (float64(i%100) + 0.5) / 100 * total; {
		case f < m.Telegram:
			p.Channel = bot.ChannelTelegram
			p.Chat = base + int64(i)
			p.Address = strconv.FormatInt(p.Chat, 10)
		case f < m.Telegram+m.SMS:
			p.Channel = bot.ChannelSMS
			p.Address = fmt.Sprintf("+336%08d", (base+int64(i))%1e8)
		default:
			p.Channel = bot.ChannelWhatsApp
			p.Address = fmt.Sprintf("+337%08d", (base+int64(i))%1e8)
		}
		qs := pool[p.Lang]
		for _, j := range rng.Perm(len(qs)) {
			if len(p.questions) == perPerson {
				break
			}
			p.questions = append(p.questions, qs[j])
		}
		for len(p.questions) < perPerson { // more messages than questions: number them to keep them distinct
			p.questions = append(p.questions, fmt.Sprintf("%s (%d)", qs[len(p.questions)%len(qs)], len(p.questions)))
		}
		out[i] = p
	}
	return out
}

// inbound is one message a person sends: the provider's request, kept
// byte for byte so that a redelivery is the same update or the same
// MessageSid, and the id the service deduplicates it by.
type inbound struct {
	Seq    int
	Person *person
	Text   string
	// ProviderID is what the service records: "update_id:date" for
	// Telegram, the MessageSid for Twilio.
	ProviderID string
	Path       string // webhook path
	Body       []byte
	Header     map[string]string
}

// telegramPath is the Telegram webhook's path.
const telegramPath = "/webhooks/telegram"

// telegramUpdate builds a private-chat text message update as Telegram
// sends it, with its secret_token header.
func telegramUpdate(p *person, updateID int64, messageID int, date int64, text, secret string) (*inbound, error) {
	from := map[string]any{"id": p.Chat, "is_bot": false, "first_name": "P" + strconv.Itoa(p.ID), "language_code": p.Lang}
	b, err := json.Marshal(map[string]any{
		"update_id": updateID,
		"message": map[string]any{
			"message_id": messageID, "date": date, "text": text, "from": from,
			"chat": map[string]any{"id": p.Chat, "first_name": "P" + strconv.Itoa(p.ID), "type": "private"},
		},
	})
	if err != nil {
		return nil, err
	}
	return &inbound{Person: p, Text: text, Path: telegramPath, Body: b,
		ProviderID: strconv.FormatInt(updateID, 10) + ":" + strconv.FormatInt(date, 10),
		Header:     map[string]string{"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}}, nil
}

// twilioMessage builds the form Twilio POSTs for an inbound SMS or
// WhatsApp message, signed (X-Twilio-Signature) for publicURL+path with
// the auth token.
func twilioMessage(p *person, sid, accountSID, authToken, publicURL, to, text string) *inbound {
	path := "/webhooks/twilio/sms"
	from := p.Address
	f := url.Values{
		"ToCountry": {"FR"}, "ToState": {""}, "SmsMessageSid": {sid}, "NumMedia": {"0"}, "ToCity": {""},
		"FromZip": {""}, "SmsSid": {sid}, "FromState": {""}, "SmsStatus": {"received"}, "FromCity": {""},
		"Body": {text}, "FromCountry": {"FR"}, "To": {to}, "ToZip": {""}, "NumSegments": {"1"},
		"MessageSid": {sid}, "AccountSid": {accountSID}, "ApiVersion": {"2010-04-01"},
	}
	if p.Channel == bot.ChannelWhatsApp {
		path = "/webhooks/twilio/whatsapp"
		from = "whatsapp:" + p.Address
		f.Set("WaId", strings.TrimPrefix(p.Address, "+"))
		f.Set("ProfileName", "P"+strconv.Itoa(p.ID))
		f.Set("MessageType", "text")
		f.Set("ReferralNumMedia", "0")
		for _, k := range []string{"ToCountry", "ToState", "ToCity", "FromZip", "FromState", "FromCity", "FromCountry", "ToZip"} {
			f.Del(k)
		}
	}
	f.Set("From", from)
	return &inbound{Person: p, Text: text, Path: path, Body: []byte(f.Encode()), ProviderID: sid,
		Header: map[string]string{
			"Content-Type":       "application/x-www-form-urlencoded",
			"User-Agent":         "TwilioProxy/1.1",
			"X-Twilio-Signature": twiliotest.Signature(authToken, publicURL+path, f),
		}}
}
