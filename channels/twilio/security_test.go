package twilio_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// TestPublishedSignatureExamples: Twilio's worked examples of the
// signature algorithm give the published signatures, both with this
// package's test signer and with twilio-go's validator.
// https://www.twilio.com/docs/usage/security#validating-requests
func TestPublishedSignatureExamples(t *testing.T) {
	for _, tc := range []struct{ url, caller, want string }{
		{"https://example.com/myapp.php?foo=1&bar=2", "+14158675310", "L/OH5YylLD5NRKLltdqwSvS0BnU="},
		{"https://mycompany.com/myapp.php?foo=1&bar=2", "+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="},
		{"https://mycompany.com/myapp.php?foo=1&bar=2", "+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
	} {
		form := url.Values{"Digits": {"1234"}, "To": {"+18005551212"}, "From": {tc.caller}, "Caller": {tc.caller},
			"CallSid": {"CA1234567890ABCDE"}}
		if got := twiliotest.Signature("12345", tc.url, form); got != tc.want {
			t.Errorf("%s: test signer gives %s, want %s", tc.url, got, tc.want)
		}
		params := map[string]string{}
		for k, v := range form {
			params[k] = v[0]
		}
		v := twclient.NewRequestValidator("12345")
		if !v.Validate(tc.url, params, tc.want) {
			t.Errorf("%s: twilio-go rejects the published signature", tc.url)
		}
		params["Digits"] = "1235"
		if v.Validate(tc.url, params, tc.want) {
			t.Errorf("%s: twilio-go accepts a changed form", tc.url)
		}
	}
}

// TestRefusedRequestsChangeNothing: forged, replayed, empty, oversized and
// malformed requests are refused with the right status, nothing is sent,
// and nothing is recorded: the same MessageSid and number, sent properly
// afterwards, are a new person's first message.
func TestRefusedRequestsChangeNothing(t *testing.T) {
	e := newEnv(t)
	const person = "+33639980005"
	good := e.smsForm(person, "How much money do I get if I go back home?")
	sign := func(path string, f url.Values) *http.Request {
		return twiliotest.NewRequest(path, publicURL+path, authToken, f)
	}
	with := func(f url.Values, k, v string) url.Values {
		g := url.Values{}
		for key, vals := range f {
			g[key] = append([]string(nil), vals...)
		}
		g.Set(k, v)
		return g
	}
	raw := func(path, body, contentType string) *http.Request {
		req := twiliotest.NewRequest(path, publicURL+path, authToken, nil)
		req.Body = http.NoBody
		req = req.Clone(req.Context())
		req.Body = nopCloser{strings.NewReader(body)}
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", contentType)
		f, _ := url.ParseQuery(body)
		req.Header.Set("X-Twilio-Signature", twiliotest.Signature(authToken, publicURL+path, f))
		return req
	}
	big := with(good, "Body", strings.Repeat("a", 1<<20))
	for _, tc := range []struct {
		name string
		req  *http.Request
		want int
	}{
		{"no signature", func() *http.Request {
			r := sign(twilio.SMSPath, good)
			r.Header.Del("X-Twilio-Signature")
			return r
		}(), http.StatusForbidden},
		{"forged with another token", twiliotest.NewRequest(twilio.SMSPath, publicURL+twilio.SMSPath, "not-the-token", good), http.StatusForbidden},
		{"replay with changed body", func() *http.Request {
			r := sign(twilio.SMSPath, with(good, "Body", "I want to go home"))
			r.Header.Set("X-Twilio-Signature", twiliotest.Signature(authToken, publicURL+twilio.SMSPath, good))
			return r
		}(), http.StatusForbidden},
		{"replay on another webhook", func() *http.Request {
			f := e.waForm(person, "Amal", "hello")
			r := sign(twilio.WhatsAppPath, f)
			r.Header.Set("X-Twilio-Signature", twiliotest.Signature(authToken, publicURL+twilio.SMSPath, f))
			return r
		}(), http.StatusForbidden},
		{"signed for the Host header, not the public URL",
			twiliotest.NewRequest(twilio.SMSPath, "http://example.com"+twilio.SMSPath, authToken, good), http.StatusForbidden},
		{"query added after signing", func() *http.Request {
			r := sign(twilio.SMSPath+"?x=1", good)
			r.Header.Set("X-Twilio-Signature", twiliotest.Signature(authToken, publicURL+twilio.SMSPath, good))
			return r
		}(), http.StatusForbidden},
		{"another account", sign(twilio.SMSPath, with(good, "AccountSid", "AC99999999999999999999999999999999")), http.StatusForbidden},
		{"empty form unsigned", func() *http.Request {
			r := sign(twilio.SMSPath, url.Values{})
			r.Header.Del("X-Twilio-Signature")
			return r
		}(), http.StatusForbidden},
		{"empty form signed", sign(twilio.SMSPath, url.Values{}), http.StatusBadRequest},
		{"1 MB body", sign(twilio.SMSPath, big), http.StatusRequestEntityTooLarge},
		{"parameter repeated", func() *http.Request {
			f := with(good, "Body", "hello")
			f["Body"] = append(f["Body"], "STOP")
			return sign(twilio.SMSPath, f)
		}(), http.StatusBadRequest},
		{"not a form", raw(twilio.SMSPath, `{"Body":"hello"}`, "application/json"), http.StatusUnsupportedMediaType},
		{"bad escape", raw(twilio.SMSPath, "Body=%zz&From=%2B33639980005", "application/x-www-form-urlencoded"), http.StatusBadRequest},
		{"not UTF-8", raw(twilio.SMSPath, "Body=%ff%fe&From=%2B33639980005&MessageSid="+good.Get("MessageSid"),
			"application/x-www-form-urlencoded"), http.StatusBadRequest},
		{"no MessageSid", func() *http.Request {
			f := with(good, "MessageSid", "")
			f.Del("SmsMessageSid")
			f.Del("SmsSid")
			return sign(twilio.SMSPath, f)
		}(), http.StatusBadRequest},
		{"From not a number", sign(twilio.SMSPath, with(good, "From", "somebody")), http.StatusBadRequest},
		{"SMS form on the WhatsApp webhook", sign(twilio.WhatsAppPath, good), http.StatusBadRequest},
		{"WaId not the sender", sign(twilio.WhatsAppPath, with(e.waForm(person, "Amal", "hi"), "WaId", "33639980099")), http.StatusBadRequest},
		{"NumMedia out of range", sign(twilio.SMSPath, with(good, "NumMedia", "999")), http.StatusBadRequest},
		{"status without MessageSid", sign(twilio.StatusPath, url.Values{"MessageStatus": {"delivered"}}), http.StatusBadRequest},
		{"status unsigned", func() *http.Request {
			r := sign(twilio.StatusPath, url.Values{"MessageSid": {good.Get("MessageSid")}, "MessageStatus": {"failed"}, "ErrorCode": {"21610"}})
			r.Header.Del("X-Twilio-Signature")
			return r
		}(), http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := e.do(tc.req); rec.Code != tc.want {
				t.Errorf("status %d, want %d (%s)", rec.Code, tc.want, strings.TrimSpace(rec.Body.String()))
			}
		})
	}
	e.drain()
	if n := e.api.Calls(); n != 0 {
		t.Fatalf("refused requests made %d API calls", n)
	}
	if got := e.ch.Stats().Rejected; got < 20 {
		t.Errorf("Stats().Rejected = %d", got)
	}
	sent := e.accept(twilio.SMSPath, good, person)
	if len(sent) < 2 || !strings.Contains(bodies(sent), "Passerelle") {
		t.Fatalf("the genuine message after the refused ones is not a first contact:\n%s", bodies(sent))
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
