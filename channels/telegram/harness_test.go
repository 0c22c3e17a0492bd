package telegram

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/sqlite"
	"github.com/passerelle-org/passerelle/bot/triage"
	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
	"github.com/passerelle-org/passerelle/flows"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
	kbleve "github.com/passerelle-org/passerelle/knowledge/bleve"
	"github.com/passerelle-org/passerelle/locales"
)

// Test credentials: a token shaped like BotFather's, a webhook secret.
const (
	testToken  = "123456789:AAHk7n3tESTtokenFORpasserelle_0123456"
	testSecret = "test-secret_0123456789"
)

// content is the real service content, loaded once: read-only.
var content struct {
	once   sync.Once
	cat    *locales.Catalog
	kb     *knowledge.Base
	search knowledge.Searcher
	flows  *flows.Set
	tri    *triage.Triage
	err    error
}

func loadContent(t testing.TB) {
	content.once.Do(func() {
		c := &content
		if c.cat, c.err = locales.Load(); c.err != nil {
			return
		}
		if c.kb, c.err = knowledge.Load(articles.FS); c.err != nil {
			return
		}
		if c.search, c.err = kbleve.New(c.kb); c.err != nil {
			return
		}
		if c.flows, c.err = flows.Builtin(); c.err != nil {
			return
		}
		c.tri, c.err = triage.New()
	})
	if content.err != nil {
		t.Fatal(content.err)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is the channel wired as cmd/passerelle wires it: the real Engine,
// flows, knowledge, triage and locales on a real SQLite file, the outbox
// Worker sending through the channel, and a fake Bot API on loopback.
type env struct {
	t      testing.TB
	api    *telegramtest.Server
	ch     *Channel
	engine *bot.Engine
	worker *bot.Worker
	store  bot.Store
	dbPath string
	db     *sql.DB // a second connection, to count rows
	hook   *httptest.Server
	logs   *syncBuffer
	seen   int // sendMessage calls already returned by deliver
}

// newEnv builds the environment; tune adjusts the channel's Config.
func newEnv(t testing.TB, tune func(*Config)) *env {
	t.Helper()
	loadContent(t)
	e := &env{t: t, api: telegramtest.NewServer(t, testToken), logs: &syncBuffer{}}
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, err := bot.NewKeyring(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e.dbPath = filepath.Join(dir, "p.db")
	st, err := sqlite.Open(context.Background(), e.dbPath, keys, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	e.store = st
	e.worker = &bot.Worker{Store: st, Senders: map[bot.Channel]bot.Sender{}, Log: log}
	e.engine = &bot.Engine{
		Store: st, Flows: content.flows, Search: content.search, Articles: content.kb,
		Locales: content.cat, Triage: content.tri, Log: log, Threshold: knowledge.DefaultThreshold,
		RetentionDays: 30,
	}
	cfg := Config{
		Token: testToken, APIURL: e.api.URL, WebhookSecret: testSecret,
		Offsets: FileOffsets{Path: filepath.Join(dir, "telegram-offset")},
		Locales: content.cat, Log: log.With("component", "telegram"),
		PerChat: time.Millisecond, Overall: time.Microsecond, PollTimeout: time.Second,
	}
	if tune != nil {
		tune(&cfg)
	}
	e.ch, err = New(cfg, e.engine, StoreContacts(st))
	if err != nil {
		t.Fatal(err)
	}
	e.worker.Senders[bot.ChannelTelegram] = e.ch
	mux := http.NewServeMux()
	e.ch.Routes(mux)
	e.hook = httptest.NewServer(mux)
	e.db, err = sql.Open("sqlite", "file:"+e.dbPath+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.hook.Close()
		e.ch.Close()
		e.db.Close()
		st.Close()
	})
	return e
}

// post sends body to the webhook with the secret header (none when
// secret is "") and returns the status and response body.
func (e *env) post(body []byte, secret string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.hook.URL+WebhookPath, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// fixture reads testdata/updates/NAME.json.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "updates", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deliver runs the outbox worker until the outbox is empty and returns the
// sendMessage calls it made.
func (e *env) deliver() []telegramtest.Call {
	e.t.Helper()
	for range 100 {
		n, err := e.worker.Drain(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	sent := e.api.CallsOf("sendMessage")
	var out []telegramtest.Call
	for _, c := range sent[e.seen:] {
		if !strings.HasPrefix(c.Params["chat_id"], "-") { // group notices are not the outbox's
			out = append(out, c)
		}
	}
	e.seen = len(sent)
	return out
}

// counts returns the number of rows of each table that records a person.
func (e *env) counts() map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"contacts", "conversations", "messages", "inbound_dedupe", "outbox", "handoffs"} {
		var n int
		if err := e.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// conversation returns the contact and conversation of a chat that wrote.
func (e *env) conversation(chat string) (bot.Contact, bot.Conversation) {
	e.t.Helper()
	var (
		c    bot.Contact
		conv bot.Conversation
	)
	err := e.store.InTx(context.Background(), func(tx bot.Tx) error {
		var err error
		c, conv, err = tx.EnsureContact(context.Background(), bot.ChannelTelegram, chat)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return c, conv
}

// lastInbound is the text of the chat's last inbound message.
func (e *env) lastInbound(chat string) string {
	e.t.Helper()
	_, conv := e.conversation(chat)
	msgs, err := e.store.Transcript(context.Background(), conv.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Direction == bot.FromPerson {
			return msgs[i].Text
		}
	}
	return ""
}

// dbBytes is everything SQLite wrote to disk (database and its WAL).
func (e *env) dbBytes() []byte {
	var all []byte
	for _, p := range []string{e.dbPath, e.dbPath + "-wal"} {
		b, _ := os.ReadFile(p)
		all = append(all, b...)
	}
	return all
}

// T renders a message key as the person would read it in lang.
func T(lang, key string) string { return content.cat.Printer(lang).T(key, map[string]any{"Days": 30}) }

// texts joins what was sent, with the buttons, for failure messages.
func texts(calls []telegramtest.Call) string {
	var b strings.Builder
	for _, c := range calls {
		text := c.Params["text"]
		if r := []rune(text); len(r) > 300 {
			text = string(r[:300]) + "…"
		}
		fmt.Fprintf(&b, "→ %s: %q", c.Params["chat_id"], text)
		for _, row := range c.Keyboard() {
			for _, btn := range row {
				fmt.Fprintf(&b, " [%s|%s%s]", btn.Text, btn.CallbackData, btn.URL)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// buttons lists the callback_data of every button sent.
func buttons(calls []telegramtest.Call) []string {
	var out []string
	for _, c := range calls {
		for _, row := range c.Keyboard() {
			for _, btn := range row {
				out = append(out, btn.CallbackData)
			}
		}
	}
	return out
}

// spy is a Handler that records what it is given.
type spy struct {
	mu  sync.Mutex
	got []bot.Inbound
	err error
}

func (s *spy) Handle(ctx context.Context, in bot.Inbound) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.got = append(s.got, in)
	return nil
}

func (s *spy) all() []bot.Inbound {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Inbound(nil), s.got...)
}
