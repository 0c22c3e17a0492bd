package telegramtest

import (
	"fmt"
	"time"
)

// Failure is a scripted answer to a call: Status and Body as Telegram
// would send them, Drop to close the connection without an answer, or
// Hang to answer nothing until the client gives up (its timeout).
type Failure struct {
	Status int
	Body   string
	Drop   bool
	Hang   bool
}

// Hung is a call that never answers: the client's timeout ends it.
var Hung = Failure{Hang: true}

// RetryAfter is Telegram's 429 asking to wait seconds before the next
// message (parameters.retry_after).
func RetryAfter(seconds int) Failure {
	return Failure{429, fmt.Sprintf(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`, seconds, seconds), false, false}
}

// Telegram's real error bodies.
var (
	TooManyRequests = RetryAfter(34)
	Blocked         = Failure{403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, false, false}
	TooLong         = Failure{400, `{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}`, false, false}
	ChatNotFound    = Failure{400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, false, false}
	ServerError     = Failure{502, `<html><body><h1>502 Bad Gateway</h1></body></html>`, false, false}
	InternalError   = Failure{500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`, false, false}
	Dropped         = Failure{Drop: true}
)

// Outage makes every call of method fail, with fs taken in turn (a 500,
// a 429, a hang, a dropped connection...), until Outage is called again
// for method with none: the provider recovers. Calls FailNext scripted
// come first.
func (s *Server) Outage(method string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(fs) == 0 {
		delete(s.outage, method)
		return
	}
	s.outage[method] = fs
}

// Delay makes every call take d before it is answered, as a distant
// provider would.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Sent returns the messages sendMessage accepted, in order: the calls
// that got a message id.
func (s *Server) Sent() []Call {
	var out []Call
	for _, c := range s.CallsOf("sendMessage") {
		if c.MessageID != 0 {
			out = append(out, c)
		}
	}
	return out
}

// FailNext makes the next calls of method answer with fs, in order.
func (s *Server) FailNext(method string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[method] = append(s.fail[method], fs...)
}
