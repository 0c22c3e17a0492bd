// Package telegramtest is a fake Telegram Bot API for tests: an
// httptest.Server that answers the methods Passerelle calls with the
// shapes Telegram uses (ok/result, ok/error_code/description/parameters),
// keeps what was sent, serves getUpdates from a queue with Telegram's
// offset rule, and fails on request (429, 403, 400, 5xx, a dropped
// connection, a hang), once or for as long as an outage lasts.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Username is the fake bot's @username.
const Username = "passerelle_test_bot"

// BotID is the fake bot's user id.
const BotID = 7000000000

// Call is one Bot API request the server received.
type Call struct {
	Method string
	Params map[string]string
	// MessageID is the id sendMessage gave the message (0 for other calls
	// and failures).
	MessageID int
	// At is when the call arrived.
	At time.Time
	// Status is the HTTP status answered; 0 when the connection was
	// dropped or the call hung until the client gave up.
	Status int
}

// Keyboard decodes the call's inline keyboard (reply_markup), if any.
func (c Call) Keyboard() [][]Button {
	var m struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	}
	_ = json.Unmarshal([]byte(c.Params["reply_markup"]), &m)
	return m.InlineKeyboard
}

// Button is an inline keyboard button as sent.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Server is the fake Bot API.
type Server struct {
	*httptest.Server
	Token string

	mu      sync.Mutex
	calls   []Call
	fail    map[string][]Failure
	outage  map[string][]Failure // method -> failures answered in turn
	turn    int                  // next failure of an outage
	stop    chan struct{}        // closed when the server closes: hung calls end
	delay   time.Duration        // how long each call takes to answer
	pending []json.RawMessage    // updates not yet confirmed, in order
	nextID  int64                // next update_id PushUpdate assigns
	nextMsg int                  // next message_id
	wake    chan struct{}
	webhook map[string]string
}

// NewServer starts a fake Bot API for token; it closes with the test.
func NewServer(t interface{ Cleanup(func()) }, token string) *Server {
	s := &Server{Token: token, fail: map[string][]Failure{}, outage: map[string][]Failure{},
		nextID: 500000001, nextMsg: 100, wake: make(chan struct{}), stop: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(s.stop) }) // runs first: Close waits for hung calls
	return s
}

// Calls returns every call received, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsOf returns the calls of one method.
func (s *Server) CallsOf(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Webhook returns the parameters of the last setWebhook call.
func (s *Server) Webhook() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// PushUpdate queues an update for getUpdates. An update without an
// update_id gets the next one; the id used is returned.
func (s *Server) PushUpdate(update string) int64 {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(update), &m); err != nil {
		panic(fmt.Sprintf("telegramtest: PushUpdate: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var id int64
	if raw, ok := m["update_id"]; ok {
		_ = json.Unmarshal(raw, &id)
	} else {
		id = s.nextID
		m["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
	}
	if id >= s.nextID {
		s.nextID = id + 1
	}
	b, _ := json.Marshal(m)
	s.pending = append(s.pending, b)
	close(s.wake)
	s.wake = make(chan struct{})
	return id
}

// Pending is how many updates getUpdates has not had confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/bot")
	token, method, ok := strings.Cut(path, "/")
	if !ok || token != s.Token {
		writeJSON(w, 404, `{"ok":false,"error_code":404,"description":"Not Found"}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse request"}`)
		return
	}
	params := map[string]string{}
	for k, v := range r.PostForm {
		params[k] = v[0]
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Params: params, At: time.Now()})
	call := len(s.calls) - 1
	var f *Failure
	if q := s.fail[method]; len(q) > 0 {
		f, s.fail[method] = &q[0], q[1:]
	} else if q := s.outage[method]; len(q) > 0 {
		f = &q[s.turn%len(q)]
		s.turn++
	}
	if f != nil && !f.Drop && !f.Hang {
		s.calls[call].Status = f.Status
	}
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if f != nil {
		if f.Hang {
			select {
			case <-r.Context().Done():
			case <-s.stop:
			}
			return
		}
		if f.Drop {
			if hj, ok := w.(http.Hijacker); ok {
				conn, _, err := hj.Hijack()
				if err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if strings.HasPrefix(f.Body, "{") {
			writeJSON(w, f.Status, f.Body)
		} else {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			fmt.Fprint(w, f.Body)
		}
		return
	}
	switch method {
	case "getMe":
		writeJSON(w, 200, fmt.Sprintf(`{"ok":true,"result":{"id":%d,"is_bot":true,"first_name":"Passerelle","username":%q,"can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}}`, BotID, Username))
	case "sendMessage":
		s.sendMessage(w, params, call)
	case "answerCallbackQuery", "leaveChat", "deleteWebhook":
		writeJSON(w, 200, `{"ok":true,"result":true}`)
	case "setWebhook":
		s.mu.Lock()
		s.webhook = params
		s.mu.Unlock()
		writeJSON(w, 200, `{"ok":true,"result":true,"description":"Webhook was set"}`)
	case "getUpdates":
		s.getUpdates(w, r, params)
	default:
		writeJSON(w, 404, `{"ok":false,"error_code":404,"description":"Not Found: method not found"}`)
	}
}

// sendMessage answers call number call.
func (s *Server) sendMessage(w http.ResponseWriter, params map[string]string, call int) {
	text := params["text"]
	if text == "" {
		writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}`)
		return
	}
	if utf16Len(text) > 4096 {
		writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}`)
		return
	}
	if kb := (Call{Params: params}).Keyboard(); kb != nil {
		for _, row := range kb {
			for _, b := range row {
				if b.CallbackData != "" && len(b.CallbackData) > 64 {
					writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: BUTTON_DATA_INVALID"}`)
					return
				}
			}
		}
	}
	chat, err := strconv.ParseInt(params["chat_id"], 10, 64)
	if err != nil {
		writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`)
		return
	}
	s.mu.Lock()
	s.nextMsg++
	id := s.nextMsg
	s.calls[call].MessageID = id
	s.calls[call].Status = 200
	s.mu.Unlock()
	res := map[string]any{
		"message_id": id,
		"from":       map[string]any{"id": BotID, "is_bot": true, "first_name": "Passerelle", "username": Username},
		"chat":       map[string]any{"id": chat, "first_name": "Test", "type": "private"},
		"date":       time.Now().Unix(),
		"text":       text,
	}
	if rm := params["reply_markup"]; rm != "" {
		res["reply_markup"] = json.RawMessage(rm)
	}
	b, _ := json.Marshal(map[string]any{"ok": true, "result": res})
	writeJSON(w, 200, string(b))
}

// getUpdates confirms the updates up to the one before offset (by
// position: Telegram returns an update with a lower id after a week of
// silence, and the offset then follows it), and returns the rest, waiting
// up to timeout seconds for one.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, params map[string]string) {
	offset, _ := strconv.ParseInt(params["offset"], 10, 64)
	timeout, _ := strconv.Atoi(params["timeout"])
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		if offset != 0 {
			for i, raw := range s.pending {
				var h struct {
					UpdateID int64 `json:"update_id"`
				}
				_ = json.Unmarshal(raw, &h)
				if h.UpdateID == offset-1 {
					s.pending = s.pending[i+1:]
					break
				}
			}
		}
		pending := append([]json.RawMessage(nil), s.pending...)
		wake := s.wake
		s.mu.Unlock()
		if len(pending) > 0 || time.Now().After(deadline) {
			if len(pending) > 100 {
				pending = pending[:100]
			}
			b, _ := json.Marshal(map[string]any{"ok": true, "result": pending})
			writeJSON(w, 200, string(b))
			return
		}
		select {
		case <-wake:
		case <-time.After(time.Until(deadline)):
		case <-r.Context().Done():
			return
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// TextUpdate is a private-chat text message from a person whose Telegram
// app is in language lang (may be ""), as Telegram sends it; a leading
// /command gets its bot_command entity. PushUpdate gives it an update_id.
func TextUpdate(chat int64, lang, text string) string {
	from := map[string]any{"id": chat, "is_bot": false, "first_name": "Test"}
	if lang != "" {
		from["language_code"] = lang
	}
	msg := map[string]any{
		"message_id": nextPersonMessage(), "date": time.Now().Unix(), "text": text, "from": from,
		"chat": map[string]any{"id": chat, "first_name": "Test", "type": "private"},
	}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		msg["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": utf16Len(cmd)}}
	}
	b, _ := json.Marshal(map[string]any{"message": msg})
	return string(b)
}

// CallbackUpdate is a press on the button with callback_data data under
// the bot's message messageID in chat.
func CallbackUpdate(chat int64, messageID int, data string) string {
	person := map[string]any{"id": chat, "is_bot": false, "first_name": "Test"}
	b, _ := json.Marshal(map[string]any{"callback_query": map[string]any{
		"id": strconv.FormatInt(chat*1000+int64(nextPersonMessage()), 10), "from": person,
		"chat_instance": "-" + strconv.FormatInt(chat, 10), "data": data,
		"message": map[string]any{
			"message_id": messageID, "date": time.Now().Unix(), "text": "…",
			"from": map[string]any{"id": BotID, "is_bot": true, "first_name": "Passerelle", "username": Username},
			"chat": map[string]any{"id": chat, "first_name": "Test", "type": "private"},
		},
	}})
	return string(b)
}

var personMessages struct {
	sync.Mutex
	n int
}

func nextPersonMessage() int {
	personMessages.Lock()
	defer personMessages.Unlock()
	personMessages.n++
	return personMessages.n
}
