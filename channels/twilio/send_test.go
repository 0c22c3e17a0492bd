package twilio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// TestSend sends outbox messages through the channel to the fake API and
// checks what Twilio is asked, what comes back, and how errors are typed.
func TestSend(t *testing.T) {
	const person = "+33639980006"
	now := time.Now()
	sms := bot.Outbound{ID: 1, Channel: bot.ChannelSMS, Surface: bot.SurfaceSMS, Address: person, Lang: "en",
		Text: "Reply with a number:\n1. Menu\n2. Talk to a person"}
	wa := bot.Outbound{ID: 2, Channel: bot.ChannelWhatsApp, Surface: bot.SurfaceWhatsApp, Address: person, Lang: "fr",
		Text: "Combien d'argent pour le retour ?", LastInbound: now.Add(-time.Hour),
		Options: []bot.Option{{Label: "Plus de détails", Payload: "more"}, {Label: "Menu", Payload: "menu"}}}
	late := wa
	late.LastInbound = now.Add(-25 * time.Hour)
	lateAr := late
	lateAr.Lang = "ar"
	long := wa
	long.Text = strings.Repeat("Une phrase assez longue pour remplir le message. ", 50)
	long.Options = nil
	type want struct {
		kind     bot.SendErrorKind // when err is set
		err      bool
		calls    int    // API calls made
		content  string // ContentSid of the last message sent
		body     string // substring of the last body sent
		parts    int    // messages accepted
		retryMin time.Duration
	}
	for _, tc := range []struct {
		name      string
		o         bot.Outbound
		respond   func(twiliotest.Message) *twiliotest.Error
		templates map[string]string
		want      want
	}{
		{name: "sms", o: sms, want: want{calls: 1, parts: 1, body: "2. Talk to a person"}},
		{name: "sms typographic quotes", o: bot.Outbound{Channel: bot.ChannelSMS, Address: person,
			Text: "Rendez-vous à l’OFII lundi — apportez “le passeport”."},
			want: want{calls: 1, parts: 1, body: `Rendez-vous à l'OFII lundi - apportez "le passeport".`}},
		{name: "sms invalid number", o: sms, respond: always(twiliotest.ErrInvalidTo),
			want: want{err: true, kind: bot.SendPermanent, calls: 1}},
		{name: "sms unsubscribed", o: sms, respond: always(twiliotest.ErrUnsubscribed),
			want: want{err: true, kind: bot.SendOptedOut, calls: 1}},
		{name: "sms too many requests", o: sms, respond: always(twiliotest.ErrTooMany),
			want: want{err: true, kind: bot.SendRetry, calls: 1, retryMin: 2 * time.Second}},
		{name: "sms server error", o: sms, respond: always(twiliotest.ErrServer),
			want: want{err: true, kind: bot.SendRetry, calls: 1}},
		{name: "whatsapp in window", o: wa, want: want{calls: 1, parts: 1, body: "Répondez avec un numéro :\n1. Plus de détails\n2. Menu"}},
		{name: "whatsapp long text split", o: long, want: want{calls: 2, parts: 2, body: "Une phrase"}},
		{name: "whatsapp refused outside window", o: wa, respond: func(m twiliotest.Message) *twiliotest.Error {
			if m.ContentSid == "" {
				return twiliotest.ErrOutsideWindow
			}
			return nil
		}, want: want{err: true, kind: bot.SendHeld, calls: 2, parts: 1, content: templateFR}},
		{name: "whatsapp late reply", o: late, want: want{err: true, kind: bot.SendHeld, calls: 1, parts: 1, content: templateFR}},
		{name: "whatsapp late reply, fallback template", o: lateAr, want: want{err: true, kind: bot.SendHeld, calls: 1, parts: 1, content: templateEN}},
		{name: "whatsapp late reply, no template", o: late, templates: map[string]string{},
			want: want{err: true, kind: bot.SendHeld, calls: 0}},
		{name: "whatsapp late reply, template refused", o: late, respond: always(&twiliotest.Error{HTTPStatus: 400, Code: 63027, Message: "Template does not exist"}),
			want: want{err: true, kind: bot.SendHeld, calls: 1}},
		{name: "whatsapp late reply, unsubscribed", o: late, respond: always(twiliotest.ErrUnsubscribed),
			want: want{err: true, kind: bot.SendOptedOut, calls: 1}},
		{name: "telegram is not twilio's", o: bot.Outbound{Channel: bot.ChannelTelegram, Address: "1", Text: "x"},
			want: want{err: true, kind: bot.SendPermanent}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *options) {
				if tc.templates != nil {
					o.templates = tc.templates
				}
			})
			e.api.Respond(tc.respond)
			id, err := e.ch.Send(context.Background(), tc.o)
			if (err != nil) != tc.want.err {
				t.Fatalf("Send: %v, want error %v", err, tc.want.err)
			}
			if err != nil {
				kind, after := bot.SendErrorKindOf(err)
				if kind != tc.want.kind || after < tc.want.retryMin {
					t.Fatalf("error %v: kind %d retry after %v; want kind %d, at least %v", err, kind, after, tc.want.kind, tc.want.retryMin)
				}
				if strings.Contains(err.Error(), "639980") {
					t.Errorf("the error quotes the phone number: %v", err)
				}
			}
			if n := e.api.Calls(); n != tc.want.calls {
				t.Errorf("%d API calls, want %d", n, tc.want.calls)
			}
			sent := e.api.Messages()
			if len(sent) != tc.want.parts {
				t.Fatalf("%d messages accepted, want %d", len(sent), tc.want.parts)
			}
			if len(sent) == 0 {
				return
			}
			last := sent[len(sent)-1]
			if id != last.SID {
				t.Errorf("Send returned %q, want the SID %q", id, last.SID)
			}
			if last.StatusCallback != publicURL+twilio.StatusPath {
				t.Errorf("StatusCallback %q", last.StatusCallback)
			}
			if last.ContentSid != tc.want.content || !strings.Contains(last.Body, tc.want.body) {
				t.Errorf("sent ContentSid %q body %q; want %q, containing %q", last.ContentSid, last.Body, tc.want.content, tc.want.body)
			}
			if tc.o.Channel == bot.ChannelWhatsApp && last.To != "whatsapp:"+person || tc.o.Channel == bot.ChannelSMS && last.To != person {
				t.Errorf("sent to %q", last.To)
			}
		})
	}
}

func always(e *twiliotest.Error) func(twiliotest.Message) *twiliotest.Error {
	return func(twiliotest.Message) *twiliotest.Error { return e }
}

// TestSendNetworkError: an API that cannot be reached is retried later.
func TestSendNetworkError(t *testing.T) {
	e := newEnv(t)
	e.api.Close()
	_, err := e.ch.Send(context.Background(), bot.Outbound{Channel: bot.ChannelSMS, Address: "+33639980007", Text: "x"})
	if kind, _ := bot.SendErrorKindOf(err); err == nil || kind != bot.SendRetry {
		t.Fatalf("unreachable API: %v, want a retry", err)
	}
}

// TestSendRate: messages from one sender are spaced to the configured rate.
func TestSendRate(t *testing.T) {
	loadContent(t)
	api := twiliotest.NewServer(t, accountSID, authToken)
	ch, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, APIURL: api.URL,
		PublicURL: publicURL, SMSFrom: smsFrom, Rate: 20}, nil, nil, content.cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 5 {
		if _, err := ch.Send(context.Background(), bot.Outbound{Channel: bot.ChannelSMS, Address: "+33639980008", Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("5 messages at 20 a second took %v, want at least 200ms", d)
	}
	if s := ch.Stats(); s.SMSReplies != 5 || s.SMSSegments != 5 || s.SegmentsPerReply[1] != 5 {
		t.Fatalf("Stats = %+v", s)
	}
}

// TestSegmentsCounted: the segments of each SMS are counted per reply.
func TestSegmentsCounted(t *testing.T) {
	e := newEnv(t)
	e.sms("+33639980009", "كم مبلغ المساعدة المالية للعودة إلى بلدي؟")
	s := e.ch.Stats()
	var replies, segments int64
	for n, c := range s.SegmentsPerReply {
		replies += c
		segments += int64(n) * c
	}
	if s.SMSReplies == 0 || replies != s.SMSReplies || s.SegmentsPerReply[3] == 0 || segments > s.SMSSegments {
		t.Fatalf("Stats = %+v", s)
	}
	var want int64
	for _, m := range e.api.Messages() {
		want += int64(m.Segments)
	}
	if s.SMSSegments != want {
		t.Fatalf("counted %d segments, Twilio reported %d", s.SMSSegments, want)
	}
}
