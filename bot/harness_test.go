package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/sqlite"
	"github.com/passerelle-org/passerelle/bot/triage"
	"github.com/passerelle-org/passerelle/flows"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
	kbleve "github.com/passerelle-org/passerelle/knowledge/bleve"
	"github.com/passerelle-org/passerelle/locales"
)

// content is loaded once: it is read-only and slow-ish to index.
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

// recorder is a Sender that keeps what was sent, per address.
type recorder struct {
	mu   sync.Mutex
	sent map[string][]bot.Outbound
	fail error
}

func (r *recorder) Send(ctx context.Context, o bot.Outbound) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return "", r.fail
	}
	r.sent[o.Address] = append(r.sent[o.Address], o)
	return fmt.Sprintf("p%d", o.ID), nil
}

// harness is an engine on a real SQLite file with the real content.
type harness struct {
	t      testing.TB
	e      *bot.Engine
	w      *bot.Worker
	store  bot.Store
	rec    *recorder
	logs   *bytes.Buffer
	dbPath string
	n      int
}

func newHarness(t testing.TB) *harness {
	loadContent(t)
	return newHarnessOn(t, content.kb, content.search)
}

// newHarnessOnly runs on the articles of the given languages only, so a
// test of missing content does not depend on what has been written since.
func newHarnessOnly(t testing.TB, langs ...string) *harness {
	loadContent(t)
	var arts []*knowledge.Article
	for _, a := range content.kb.Articles() {
		for _, l := range langs {
			if a.Lang == l {
				arts = append(arts, a)
			}
		}
	}
	kb, err := knowledge.NewBase(arts)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := kbleve.New(kb)
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessOn(t, kb, idx)
}

func newHarnessOn(t testing.TB, kb *knowledge.Base, search knowledge.Searcher) *harness {
	keys, err := bot.NewKeyring(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p.db")
	st, err := sqlite.Open(context.Background(), path, keys, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	rec := &recorder{sent: map[string][]bot.Outbound{}}
	w := &bot.Worker{Store: st, Senders: map[bot.Channel]bot.Sender{
		bot.ChannelWeb: rec, bot.ChannelSMS: rec, bot.ChannelTelegram: rec, bot.ChannelWhatsApp: rec,
	}, Log: log}
	e := &bot.Engine{
		Store: st, Flows: content.flows, Search: search, Articles: kb,
		Locales: content.cat, Triage: content.tri, Log: log, Threshold: knowledge.DefaultThreshold,
		RetentionDays: 30,
	}
	return &harness{t: t, e: e, w: w, store: st, rec: rec, logs: logs, dbPath: path}
}

// send handles one message from addr and returns the replies delivered.
func (h *harness) send(ch bot.Channel, addr string, in bot.Inbound) []bot.Outbound {
	h.t.Helper()
	h.n++
	in.Channel, in.Address = ch, addr
	if in.ProviderID == "" {
		in.ProviderID = fmt.Sprintf("m%d", h.n)
	}
	if err := h.e.Handle(context.Background(), in); err != nil {
		h.t.Fatalf("Handle(%q): %v", in.Text, err)
	}
	return h.drain(addr)
}

func (h *harness) drain(addr string) []bot.Outbound {
	h.t.Helper()
	h.rec.mu.Lock()
	before := len(h.rec.sent[addr])
	h.rec.mu.Unlock()
	for {
		n, err := h.w.Drain(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	return append([]bot.Outbound(nil), h.rec.sent[addr][before:]...)
}

// text is a shortcut for a web message with a text.
func (h *harness) text(addr, s string) []bot.Outbound {
	return h.send(bot.ChannelWeb, addr, bot.Inbound{Text: s, Surface: bot.SurfaceTelegram})
}

func (h *harness) press(addr, payload string) []bot.Outbound {
	return h.send(bot.ChannelWeb, addr, bot.Inbound{Payload: payload, Surface: bot.SurfaceTelegram})
}

func joined(out []bot.Outbound) string {
	var b strings.Builder
	for _, o := range out {
		b.WriteString(o.Text)
		b.WriteString("\n")
		for _, opt := range o.Options {
			b.WriteString("[" + opt.Label + "|" + opt.Payload + "]")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func payloads(out []bot.Outbound) []string {
	var p []string
	for _, o := range out {
		for _, opt := range o.Options {
			p = append(p, opt.Payload)
		}
	}
	return p
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
