package twilio_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// BenchmarkWebhook measures a signed inbound SMS over loopback HTTP, from
// request to replies committed in the outbox (the handler answers after
// the engine's transaction commits): verification, decoding, dedupe,
// routing, search and the SQLite commit. Senders cycle over 50 numbers
// and questions over three languages, so first contacts and follow-ups
// mix. It reports p50 and p99 latency.
func BenchmarkWebhook(b *testing.B) {
	e := newEnv(b)
	srv := httptest.NewServer(e.mux)
	defer srv.Close()
	client := srv.Client()
	texts := []string{
		"How much money do I get if I go back home?",
		"Bonjour, comment demander l'aide au retour à l'OFII ?",
		"كم مبلغ المساعدة المالية للعودة إلى بلدي؟",
		"1",
		"Is the 115 emergency shelter free?",
		"MENU",
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		form := e.smsForm(fmt.Sprintf("+336399%05d", i%50), texts[i%len(texts)])
		req := twiliotest.NewRequest(srv.URL+twilio.SMSPath, publicURL+twilio.SMSPath, authToken, form)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		lat = append(lat, time.Since(start))
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// nopHandler takes inbound messages and does nothing.
type nopHandler struct{}

func (nopHandler) Handle(context.Context, bot.Inbound) error { return nil }

// BenchmarkWebhookAdapter is the channel's own share of a webhook: reading
// the body, checking the signature, decoding and mapping the form (the
// engine replaced by a no-op), through the handler without the network.
func BenchmarkWebhookAdapter(b *testing.B) {
	loadContent(b)
	ch, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, PublicURL: publicURL,
		SMSFrom: smsFrom}, nopHandler{}, nil, content.cat, nil)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	ch.Routes(mux)
	e := &env{t: b}
	form := e.smsForm("+33639980001", "How much money do I get if I go back home?")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, twiliotest.NewRequest(twilio.SMSPath, publicURL+twilio.SMSPath, authToken, form))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
