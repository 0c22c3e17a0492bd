// Package twiliotest is a test double of Twilio for Passerelle's tests: a
// fake Messages API that answers like Twilio (its JSON, its error
// documents), and the two things Twilio sends a service: signed inbound
// message webhooks and signed status callbacks. An Outage makes the API
// fail every call (error documents, hangs, dropped connections) until it
// recovers; Attempts lists every call with its time and answer.
//
// Signature is written from Twilio's documented algorithm, independently
// of twilio-go, so that tests check the real validator against it.
package twiliotest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/channels"
)

// Signature is X-Twilio-Signature for a POST of form to fullURL: the URL
// followed by each parameter name and value, sorted by name, signed with
// HMAC-SHA1 under the auth token, in base64.
// https://www.twilio.com/docs/usage/security#validating-requests
func Signature(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		for _, v := range form[k] {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// NewRequest builds the POST Twilio makes: form to target, signed for
// signedURL (the URL configured in Twilio, which a reverse proxy may map
// to another target).
func NewRequest(target, signedURL, token string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.RequestURI = ""
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set("X-Twilio-Signature", Signature(token, signedURL, form))
	return req
}

// SID returns a fresh 34-character SID with the given prefix (SM, MM, AC...).
func SID(prefix string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Message is one message the fake API accepted.
type Message struct {
	SID            string
	From, To       string
	Body           string
	ContentSid     string
	StatusCallback string
	Segments       int
	Form           url.Values
}

// Error is an error the fake API answers with, as Twilio does: an HTTP
// status and a JSON document with code, message, more_info and status.
type Error struct {
	HTTPStatus int
	Code       int
	Message    string
	RetryAfter string // Retry-After header, if any
}

// Errors Twilio returns, as documented at https://www.twilio.com/docs/api/errors.
var (
	ErrInvalidTo     = &Error{400, 21211, "The 'To' number +33639980000 is not a valid phone number.", ""}
	ErrUnsubscribed  = &Error{400, 21610, "Attempt to send to unsubscribed recipient", ""}
	ErrOutsideWindow = &Error{400, 63016, "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.", ""}
	ErrTooMany       = &Error{429, 20429, "Too Many Requests", "2"}
	ErrServer        = &Error{500, 20500, "An internal server error has occurred", ""}
)

// Fault is one way the API fails during an outage: an error document
// (Err, e.g. ErrServer, or ErrTooMany with its Retry-After), a Hang that
// answers nothing until the client gives up (its timeout), or a Drop of
// the connection without an answer.
type Fault struct {
	Err  *Error
	Hang bool
	Drop bool
}

// Attempt is one Messages API call as the server saw it.
type Attempt struct {
	At       time.Time
	From, To string
	Body     string
	// Status is the HTTP status answered; 0 when the connection was
	// dropped or the call hung until the client gave up.
	Status int
}

// Server is a fake of the Messages API on loopback.
type Server struct {
	*httptest.Server
	AccountSID, AuthToken string

	mu       sync.Mutex
	msgs     []Message
	respond  func(Message) *Error
	calls    int
	attempts []Attempt
	outage   []Fault
	turn     int
	stop     chan struct{} // closed when the server closes: hung calls end
	delay    time.Duration // how long each call takes to answer
}

// Delay makes every call take d before it is answered, as a distant
// provider would.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// NewServer starts a fake Messages API for the account, closed when the
// test ends.
func NewServer(t testing.TB, accountSID, authToken string) *Server {
	s := &Server{AccountSID: accountSID, AuthToken: authToken, stop: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(s.stop) }) // runs first: Close waits for hung calls
	return s
}

// Outage makes every Messages API call fail, with faults taken in turn,
// until Outage is called with none: Twilio recovers.
func (s *Server) Outage(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = faults
}

// Attempts returns every well-formed Messages API call, accepted or
// not, in order.
func (s *Server) Attempts() []Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Attempt(nil), s.attempts...)
}

// Respond sets what the API answers: fn returns nil to accept a message,
// or the error to refuse it with. Nil accepts everything.
func (s *Server) Respond(fn func(Message) *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respond = fn
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Calls counts API calls, accepted or refused.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// To returns the accepted messages to one recipient ("+33..." or
// "whatsapp:+33...").
func (s *Server) To(to string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	want := "/2010-04-01/Accounts/" + s.AccountSID + "/Messages.json"
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.AccountSID || pass != s.AuthToken {
		writeError(w, &Error{401, 20003, "Authenticate", ""})
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != want {
		writeError(w, &Error{404, 20404, "The requested resource " + r.URL.Path + " was not found", ""})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, &Error{400, 21000, "Bad request", ""})
		return
	}
	f := r.PostForm
	m := Message{From: f.Get("From"), To: f.Get("To"), Body: f.Get("Body"), ContentSid: f.Get("ContentSid"),
		StatusCallback: f.Get("StatusCallback"), Form: f}
	s.mu.Lock()
	s.calls++
	respond := s.respond
	s.mu.Unlock()
	switch {
	case m.To == "":
		writeError(w, &Error{400, 21604, "A 'To' phone number is required.", ""})
		return
	case m.From == "":
		writeError(w, &Error{400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.", ""})
		return
	case m.Body == "" && m.ContentSid == "":
		writeError(w, &Error{400, 21619, "A text message body or media URL must be specified.", ""})
		return
	case len([]rune(m.Body)) > 1600:
		writeError(w, &Error{400, 21617, "The concatenated message body exceeds the 1600 character limit.", ""})
		return
	}
	s.mu.Lock()
	s.attempts = append(s.attempts, Attempt{At: time.Now(), From: m.From, To: m.To, Body: m.Body})
	attempt := len(s.attempts) - 1
	var fault *Fault
	if len(s.outage) > 0 {
		fault = &s.outage[s.turn%len(s.outage)]
		s.turn++
	}
	status := http.StatusCreated
	switch {
	case fault != nil && fault.Err != nil:
		status = fault.Err.HTTPStatus
	case fault != nil:
		status = 0
	}
	s.attempts[attempt].Status = status
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	switch {
	case fault == nil:
	case fault.Hang:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		return
	case fault.Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	default:
		writeError(w, fault.Err)
		return
	}
	if respond != nil {
		if e := respond(m); e != nil {
			s.mu.Lock()
			s.attempts[attempt].Status = e.HTTPStatus
			s.mu.Unlock()
			writeError(w, e)
			return
		}
	}
	m.SID = SID("SM")
	m.Segments = 1
	if !strings.HasPrefix(m.To, "whatsapp:") && m.Body != "" {
		m.Segments = channels.SMSSegments(m.Body)
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC1123Z)
	uri := "/2010-04-01/Accounts/" + s.AccountSID + "/Messages/" + m.SID
	var body any = m.Body
	if m.ContentSid != "" && m.Body == "" {
		body = nil
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{
		"account_sid": s.AccountSID, "api_version": "2010-04-01", "body": body,
		"date_created": now, "date_sent": nil, "date_updated": now, "direction": "outbound-api",
		"error_code": nil, "error_message": nil, "from": m.From, "messaging_service_sid": nil,
		"num_media": "0", "num_segments": strconv.Itoa(m.Segments), "price": nil, "price_unit": "USD",
		"sid": m.SID, "status": "queued", "to": m.To, "uri": uri + ".json",
		"subresource_uris": map[string]string{"media": uri + "/Media.json", "feedback": uri + "/Feedback.json"},
	})
}

func writeError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if e.RetryAfter != "" {
		w.Header().Set("Retry-After", e.RetryAfter)
	}
	w.WriteHeader(e.HTTPStatus)
	json.NewEncoder(w).Encode(map[string]any{
		"code": e.Code, "message": e.Message, "status": e.HTTPStatus,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", e.Code),
	})
}

// StatusForm is the callback Twilio makes for message m reaching status
// (with errorCode for a failure), as documented: a subset of the message
// parameters plus MessageStatus and ErrorCode; WhatsApp adds ChannelPrefix,
// and EventType=READ for a read receipt.
func (s *Server) StatusForm(m Message, status, errorCode string) url.Values {
	f := url.Values{
		"AccountSid": {s.AccountSID}, "ApiVersion": {"2010-04-01"}, "From": {m.From}, "To": {m.To},
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "MessageStatus": {status}, "SmsStatus": {status},
	}
	if strings.HasPrefix(m.To, "whatsapp:") {
		f.Set("ChannelPrefix", "whatsapp")
		f.Set("ChannelToAddress", strings.TrimPrefix(m.To, "whatsapp:+"))
		if status == "read" {
			f.Set("EventType", "READ")
		}
	}
	if errorCode != "" {
		f.Set("ErrorCode", errorCode)
	}
	return f
}
