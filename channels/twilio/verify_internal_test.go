package twilio

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestVerifyPublishedExample runs Twilio's published example request
// through the channel's own check: public URL + path + query, every form
// parameter, the auth token "12345" and signature L/OH5YylLD5NRKLltdqwSvS0BnU=.
// The request arrives on another host (a reverse proxy): only the
// configured public URL counts.
func TestVerifyPublishedExample(t *testing.T) {
	c, err := New(Config{AccountSID: "AC" + strings.Repeat("0", 32), AuthToken: "12345", PublicURL: "https://example.com/"},
		nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"Digits": {"1234"}, "To": {"+18005551212"}, "From": {"+14158675310"},
		"Caller": {"+14158675310"}, "CallSid": {"CA1234567890ABCDE"}}
	for _, tc := range []struct {
		sig  string
		body string
		ok   bool
	}{
		{"L/OH5YylLD5NRKLltdqwSvS0BnU=", form.Encode(), true},
		{"L/OH5YylLD5NRKLltdqwSvS0BnU=", strings.Replace(form.Encode(), "1234", "1235", 1), false},
		{"0/KCTR6DLpKmkAf8muzZqo1nDgQ=", form.Encode(), false},
	} {
		req := httptest.NewRequest(http.MethodPost, "http://10.0.0.7:8080/myapp.php?foo=1&bar=2", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", tc.sig)
		rec := httptest.NewRecorder()
		got, ok := c.verify(rec, req)
		if ok != tc.ok {
			t.Fatalf("signature %s, body %q: verified=%v (status %d), want %v", tc.sig, tc.body, ok, rec.Code, tc.ok)
		}
		if ok && got["Caller"] != "+14158675310" {
			t.Fatalf("form decoded as %v", got)
		}
		if !ok && rec.Code != http.StatusForbidden {
			t.Fatalf("refusal status %d, want 403", rec.Code)
		}
	}
}
