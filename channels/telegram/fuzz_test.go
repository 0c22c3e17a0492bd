package telegram

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"unicode/utf8"
)

// countingContacts records MarkBlocked calls.
type countingContacts struct {
	mu sync.Mutex
	n  int
}

func (c *countingContacts) MarkBlocked(ctx context.Context, chat string, blocked bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return nil
}

// FuzzWebhook feeds arbitrary bodies to the webhook. Without the secret
// nothing is read (401). With it, the handler never panics, answers 200,
// 400 or 413, hands the engine only well-formed messages, and anything it
// refuses (400) reaches neither the engine nor the store.
func FuzzWebhook(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "updates", "*.json"))
	for _, n := range names {
		b, _ := os.ReadFile(n)
		f.Add(b, true)
		f.Add(b, false)
	}
	for _, s := range []string{``, `{}`, `null`, `[]`, `{"update_id":0}`, `{"update_id":-5,"message":{}}`,
		`{"update_id":1,"message":{"chat":{"id":1,"type":"private"},"text":"/start x","entities":[{"type":"bot_command","offset":0,"length":99}]}}`,
		`{"update_id":1,"message":{"chat":{"id":1,"type":"private"},"text":"😀","entities":[{"type":"mention","offset":1,"length":1}]}}`,
		`{"update_id":1,"callback_query":{"id":"1","from":{"id":1},"data":"#0"}}`,
		`{"update_id":1,"my_chat_member":{"chat":{"id":1,"type":"private"},"new_chat_member":{"status":"kicked"}}}`,
		`{"update_id":9007199254740993,"message":{"chat":{"id":-1,"type":"private"},"text":"\ud800"}}`,
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, withSecret bool) {
		s := &spy{}
		contacts := &countingContacts{}
		ch, err := New(Config{Token: testToken, APIURL: "http://127.0.0.1:1", WebhookSecret: testSecret,
			Username: "passerelle_test_bot"}, s, contacts)
		if err != nil {
			t.Fatal(err)
		}
		defer ch.Close()
		req := httptest.NewRequest("POST", WebhookPath, bytes.NewReader(body))
		if withSecret {
			req.Header.Set(SecretHeader, testSecret)
		}
		rec := httptest.NewRecorder()
		ch.ServeHTTP(rec, req)
		got := s.all()
		switch {
		case !withSecret:
			if rec.Code != http.StatusUnauthorized || len(got) > 0 || contacts.n > 0 {
				t.Fatalf("without the secret: %d, %d handled", rec.Code, len(got))
			}
			return
		case rec.Code == http.StatusBadRequest || rec.Code == http.StatusRequestEntityTooLarge:
			if len(got) > 0 || contacts.n > 0 {
				t.Fatalf("refused (%d) but handled %+v", rec.Code, got)
			}
			return
		case rec.Code != http.StatusOK:
			t.Fatalf("status %d", rec.Code)
		}
		if len(got) > 1 {
			t.Fatalf("one update became %d messages", len(got))
		}
		for _, in := range got {
			if _, err := strconv.ParseInt(in.Address, 10, 64); err != nil || in.ProviderID == "" {
				t.Fatalf("address %q provider id %q", in.Address, in.ProviderID)
			}
			if in.Payload != "" && !ValidPayload(in.Payload) {
				t.Fatalf("payload %q reached the engine", in.Payload)
			}
			if in.Campaign != "" && !campaignRE.MatchString(in.Campaign) {
				t.Fatalf("campaign %q", in.Campaign)
			}
			if !utf8.ValidString(in.Text) {
				t.Fatalf("text %q is not UTF-8", in.Text)
			}
		}
	})
}

// TestDecodeRejectsWhatFuzzFound keeps inputs worth remembering.
func TestDecodeRejectsWhatFuzzFound(t *testing.T) {
	for _, s := range []string{
		`{"update_id":1,"callback_query":{"id":"x","from":{"id":1},"message":{"message_id":1,"date":0}}}`,
		`{"update_id":1,"edited_message":{"message_id":1,"date":1}}`,
		`{"update_id":1,"my_chat_member":{"chat":{"type":"private"}}}`,
	} {
		if _, err := decodeUpdate([]byte(s)); err == nil {
			t.Errorf("decodeUpdate(%s): want an error", s)
		}
	}
}
