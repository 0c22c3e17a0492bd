package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

const (
	e2eAccount  = "AC0123456789abcdef0123456789abcdef"
	e2eToken    = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
	e2ePublic   = "https://passerelle.example.org"
	e2eSMS      = "+33639980900"
	e2eWhatsApp = "whatsapp:+33639980901"
	e2eTplEN    = "HX00000000000000000000000000000e11"
	e2eTplAR    = "HX00000000000000000000000000000a12"
)

// twilioServer runs the real program, configured for Twilio, on loopback
// against a fake Twilio API, with a settable clock. Requests go to the
// local address but are signed for the public URL, as behind a reverse
// proxy.
type twilioServer struct {
	t    *testing.T
	m    *Main
	api  *twiliotest.Server
	base string
	now  atomic.Int64
	seq  int
}

func startTwilio(t *testing.T) *twilioServer {
	s := &twilioServer{t: t, api: twiliotest.NewServer(t, e2eAccount, e2eToken)}
	s.now.Store(time.Now().UnixNano())
	cfg, err := loadConfig("", env(map[string]string{
		"PASSERELLE_DATA_DIR": t.TempDir(), "PASSERELLE_ADDR": "127.0.0.1:0", "PASSERELLE_PUBLIC_URL": e2ePublic,
		"PASSERELLE_TWILIO_ACCOUNT_SID": e2eAccount, "PASSERELLE_TWILIO_AUTH_TOKEN": e2eToken,
		"PASSERELLE_TWILIO_API_URL": s.api.URL, "PASSERELLE_TWILIO_SMS_FROM": e2eSMS,
		"PASSERELLE_TWILIO_WHATSAPP_FROM": e2eWhatsApp, "PASSERELLE_TWILIO_RATE": "200",
		"PASSERELLE_TWILIO_WHATSAPP_TEMPLATES": "en=" + e2eTplEN + ", ar=" + e2eTplAR,
	}))
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	s.m = &Main{Config: cfg, Log: newLogger(logs, "info"), Clock: func() time.Time { return time.Unix(0, s.now.Load()) }}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		s.m.Close()
		if strings.Contains(logs.String(), "639980") {
			t.Errorf("a phone number reached the logs")
		}
	})
	for i := 0; i < 200 && !s.m.ready.Load(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	s.base = "http://" + s.m.Addr.Load().(string)
	return s
}

// post sends a signed webhook and wants 200.
func (s *twilioServer) post(path string, form url.Values) {
	s.t.Helper()
	req := twiliotest.NewRequest(s.base+path, e2ePublic+path, e2eToken, form)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("POST %s: %d", path, res.StatusCode)
	}
}

// send posts one message from a person and returns what the service sent
// back to them once it has settled.
func (s *twilioServer) send(path, from, body string) []twiliotest.Message {
	s.t.Helper()
	s.seq++
	sid := fmt.Sprintf("SM%032x", s.seq)
	f := url.Values{"MessageSid": {sid}, "SmsMessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {e2eAccount},
		"Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
	to := from
	if path == twilio.WhatsAppPath {
		to = "whatsapp:" + from
		f.Set("From", to)
		f.Set("To", e2eWhatsApp)
		f.Set("WaId", strings.TrimPrefix(from, "+"))
		f.Set("ProfileName", "Amal")
		f.Set("MessageType", "text")
	} else {
		f.Set("From", from)
		f.Set("To", e2eSMS)
		f.Set("FromCountry", "FR")
	}
	before := len(s.api.To(to))
	s.post(path, f)
	return s.settle(to, before)
}

// settle waits until nothing more is sent to to for a moment, and returns
// what was sent since before.
func (s *twilioServer) settle(to string, before int) []twiliotest.Message {
	s.t.Helper()
	n, still := -1, 0
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if k := len(s.api.To(to)); k != n {
			n, still = k, 0
			continue
		}
		if still++; still >= 12 {
			break
		}
	}
	return s.api.To(to)[before:]
}

func texts(ms []twiliotest.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "[%d segments] %s\n---\n", m.Segments, m.Body)
	}
	return b.String()
}

// TestTwilioNewUserOnLoopback is the conversations of the Twilio issue,
// tried as new users would, through the real program on loopback against
// the Twilio double.
func TestTwilioNewUserOnLoopback(t *testing.T) {
	s := startTwilio(t)

	// An SMS question in Arabic: an answer in Arabic, each message within
	// the 3-segment budget (the privacy notice excepted: never cut), with
	// numbered options.
	const amina = "+33639980021"
	sent := s.send(twilio.SMSPath, amina, "كم مبلغ المساعدة المالية للعودة إلى بلدي؟")
	all := texts(sent)
	if len(sent) < 2 || !strings.Contains(all, "€") || !strings.ContainsAny(all, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي") {
		t.Fatalf("no Arabic answer with the amount:\n%s", all)
	}
	privacy := channels.SMSPrepare(s.m.Locales.Printer("ar").T("welcome.privacy", map[string]any{"Days": 30}))
	for _, m := range sent {
		if m.Segments > 3 && m.Body != privacy {
			t.Errorf("a reply costs %d segments:\n%s", m.Segments, m.Body)
		}
		if m.StatusCallback != e2ePublic+twilio.StatusPath {
			t.Errorf("status callback %q", m.StatusCallback)
		}
	}
	last := sent[len(sent)-1].Body
	if !strings.Contains(last, "\n1. ") || !strings.Contains(last, "\n3. ") {
		t.Fatalf("the answer offers no numbered options:\n%s", last)
	}
	one := last[strings.Index(last, "\n1. ")+4:]
	one = one[:strings.Index(one, "\n")]
	t.Logf("option 1 is %q", one)

	// Twilio reports the answer delivered.
	s.post(twilio.StatusPath, s.api.StatusForm(sent[len(sent)-1], "delivered", ""))

	// "1" follows the first option (more details): the full answer, in
	// Arabic, paged with MORE within the budget.
	sent = s.send(twilio.SMSPath, amina, "1")
	all = texts(sent)
	if len(sent) == 0 || !strings.ContainsAny(all, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي") || !strings.Contains(all, "MORE") {
		t.Fatalf(`"1" did not give the details in Arabic, paged with MORE:`+"\n%s", all)
	}
	for _, m := range sent {
		if m.Segments > 3 {
			t.Errorf("a page costs %d segments:\n%s", m.Segments, m.Body)
		}
	}

	// STOP stops everything: one confirmation, then silence.
	sent = s.send(twilio.SMSPath, amina, "STOP")
	if len(sent) != 1 {
		t.Fatalf("STOP: want one confirmation, got:\n%s", texts(sent))
	}
	for _, text := range []string{"1", "MORE", "كم مبلغ المساعدة المالية للعودة إلى بلدي؟", "HELP"} {
		if sent := s.send(twilio.SMSPath, amina, text); len(sent) != 0 {
			t.Fatalf("%q after STOP got:\n%s", text, texts(sent))
		}
	}

	// A WhatsApp conversation handed to a caseworker, who answers after 25
	// hours: the reply goes through the template path.
	const bilal = "+33639980022"
	to := "whatsapp:" + bilal
	s.send(twilio.WhatsAppPath, bilal, "Hello, how do I get help to go home?")
	for _, text := range []string{"PERSON", "1", "I need help with my papers for the return", "2"} {
		s.send(twilio.WhatsAppPath, bilal, text)
	}
	hs, err := s.m.Store.OpenHandoffs(context.Background())
	if err != nil || len(hs) != 1 {
		t.Fatalf("handoffs: %+v, %v", hs, err)
	}
	h := hs[0]
	box, err := s.m.Store.Outbox(context.Background(), h.ConversationID)
	if err != nil || len(box) == 0 {
		t.Fatalf("outbox: %v", err)
	}
	s.now.Add(int64(25 * time.Hour))
	before := len(s.api.To(to))
	err = s.m.Store.InTx(context.Background(), func(tx bot.Tx) error {
		if _, err := tx.AddMessage(context.Background(), bot.Message{ConversationID: h.ConversationID,
			Direction: bot.FromCaseworker, Text: "Hello, this is Claire. Your appointment is on Monday at 10."}); err != nil {
			return err
		}
		_, err := tx.Enqueue(context.Background(), bot.Outbound{ContactID: box[0].ContactID,
			ConversationID: h.ConversationID, Lang: "en", Text: "Hello, this is Claire. Your appointment is on Monday at 10."})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.m.Worker.Wake()
	sent = s.settle(to, before)
	if len(sent) != 1 || sent[0].ContentSid != e2eTplEN || sent[0].Body != "" {
		t.Fatalf("caseworker reply after 25 hours: want the English template only, got %+v", sent)
	}
	box, _ = s.m.Store.Outbox(context.Background(), h.ConversationID)
	if held := box[len(box)-1]; held.Status != bot.OutboxHeld || !strings.Contains(held.LastError, "template") {
		t.Fatalf("caseworker reply: %s %q; want held, saying a template was sent", held.Status, held.LastError)
	}
	sent = s.send(twilio.WhatsAppPath, bilal, "Hello, I got your message")
	if len(sent) != 1 || !strings.Contains(sent[0].Body, "Claire") {
		t.Fatalf("when the person answered: want the caseworker's reply only, got:\n%s", texts(sent))
	}
	s.post(twilio.StatusPath, s.api.StatusForm(sent[0], "read", ""))
	box, _ = s.m.Store.Outbox(context.Background(), h.ConversationID)
	if got := box[len(box)-1]; got.Status != bot.OutboxSent || got.Delivery != "read" {
		t.Fatalf("caseworker reply at the end: %s, delivery %q; want sent and read", got.Status, got.Delivery)
	}

	// The segments every SMS reply cost are in the metrics.
	rec := httptest.NewRecorder()
	s.m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !regexp.MustCompile(`(?m)^passerelle_sms_segments_total [1-9][0-9]*$`).MatchString(rec.Body.String()) ||
		!strings.Contains(rec.Body.String(), `passerelle_sms_replies_by_segments_total{segments="2"}`) {
		t.Fatalf("metrics lack the SMS segments:\n%s", rec.Body)
	}
}

// TestTwilioConfig: the Twilio settings are checked together, naming the
// variable at fault.
func TestTwilioConfig(t *testing.T) {
	base := map[string]string{
		"PASSERELLE_PUBLIC_URL": e2ePublic, "PASSERELLE_TWILIO_ACCOUNT_SID": e2eAccount,
		"PASSERELLE_TWILIO_AUTH_TOKEN": e2eToken, "PASSERELLE_TWILIO_SMS_FROM": e2eSMS,
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	if _, err := loadConfig("", env(base)); err != nil {
		t.Fatalf("valid Twilio settings: %v", err)
	}
	for key, vars := range map[string]map[string]string{
		"PASSERELLE_PUBLIC_URL":                with("PASSERELLE_PUBLIC_URL", ""),
		"PASSERELLE_TWILIO_AUTH_TOKEN":         with("PASSERELLE_TWILIO_AUTH_TOKEN", ""),
		"PASSERELLE_TWILIO_SMS_FROM":           with("PASSERELLE_TWILIO_SMS_FROM", ""),
		"PASSERELLE_TWILIO_RATE":               with("PASSERELLE_TWILIO_RATE", "-1"),
		"PASSERELLE_TWILIO_WHATSAPP_TEMPLATES": with("PASSERELLE_TWILIO_WHATSAPP_TEMPLATES", "fr=HX12"),
		"PASSERELLE_TWILIO_TEMPLATE_FALLBACK":  with("PASSERELLE_TWILIO_WHATSAPP_TEMPLATES", "fr="+e2eTplAR),
	} {
		if _, err := loadConfig("", env(vars)); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: got %v, want an error naming it", key, err)
		}
	}
	tpl, err := parseTemplates(" en=" + e2eTplEN + ", ar=" + e2eTplAR + ",")
	if err != nil || tpl["en"] != e2eTplEN || tpl["ar"] != e2eTplAR || len(tpl) != 2 {
		t.Fatalf("parseTemplates: %v, %v", tpl, err)
	}
	for _, bad := range []string{"xx=" + e2eTplEN, "en", "en=" + e2eTplEN + ",en=" + e2eTplAR} {
		if _, err := parseTemplates(bad); err == nil {
			t.Errorf("parseTemplates(%q): want an error", bad)
		}
	}
}

// TestTwilioLinks: the wa.me and sms: links prefill the start text with
// the campaign, and the SMS keyword is printed.
func TestTwilioLinks(t *testing.T) {
	cfg := Config{TwilioSMSFrom: e2eSMS, TwilioWhatsAppFrom: e2eWhatsApp}
	got, err := twilioLinks(cfg, twilio.Start{Campaign: "calais3", Lang: "ti", Topic: "return.allowance"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"https://wa.me/33639980901?text=START+%23calais3-ti--return_allowance",
		"sms:+33639980900?body=START%20%23calais3-ti--return_allowance",
		`SMS: text "START #calais3-ti--return_allowance" to +33639980900`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := twilioLinks(cfg, twilio.Start{Campaign: "no spaces"}); err == nil {
		t.Fatal("a bad campaign code: want an error")
	}
}
