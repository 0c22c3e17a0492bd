package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
)

// waitFor polls cond until it holds or the time runs out.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// textUpdate is a private text message from chat, with no update_id (the
// fake gives one).
func textUpdate(chat int64, lang, text string, date int) string {
	b, _ := json.Marshal(map[string]any{"message": map[string]any{
		"message_id": date % 1000, "date": date, "text": text,
		"from": map[string]any{"id": chat, "is_bot": false, "first_name": "Test", "language_code": lang},
		"chat": map[string]any{"id": chat, "first_name": "Test", "type": "private"},
	}})
	return string(b)
}

// startPolling runs the channel in polling mode; the returned func stops
// it and waits.
func startPolling(t testing.TB, ch *Channel) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("polling did not stop")
		}
	}
}

// TestPollingResumes: updates are handled in order and the offset is kept
// in the data dir; after a restart, polling goes on from there. An update
// handled just before a crash, whose offset was not saved, comes again and
// is not answered twice; none is skipped.
func TestPollingResumes(t *testing.T) {
	e := newEnv(t, nil)
	offsets := FileOffsets{Path: filepath.Join(t.TempDir(), "telegram-offset")}
	newChannel := func() *Channel {
		cfg := e.ch.cfg
		cfg.Offsets = offsets
		ch, err := New(cfg, e.engine, StoreContacts(e.store))
		if err != nil {
			t.Fatal(err)
		}
		e.worker.Senders[bot.ChannelTelegram] = ch
		return ch
	}
	saved := func() int64 {
		n, err := offsets.LoadOffset()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	e.api.PushUpdate(textUpdate(700000401, "ar", "مرحبا، أريد العودة إلى بلدي", 1781000101))
	e.api.PushUpdate(textUpdate(700000402, "ti", "ሰላም፣ ናብ ዓደይ ክምለስ ደልየ", 1781000102))
	u3 := e.api.PushUpdate(textUpdate(700000403, "uk", "Добрий день, як повернутися додому?", 1781000103))

	ch := newChannel()
	stop := startPolling(t, ch)
	waitFor(t, "three updates handled", func() bool { return saved() == u3+1 })
	stop()
	if got := e.counts()["inbound_dedupe"]; got != 3 {
		t.Errorf("%d recorded, want 3", got)
	}
	if sent := e.deliver(); len(chats(sent)) != 3 {
		t.Errorf("answered chats %v, want 3", chats(sent))
	}
	if calls := e.api.Calls(); calls[0].Method != "getMe" || calls[1].Method != "deleteWebhook" {
		t.Errorf("first calls %s, %s; want getMe, deleteWebhook (a webhook would stop getUpdates)", calls[0].Method, calls[1].Method)
	}
	gu := e.api.CallsOf("getUpdates")[0].Params
	var allowed []string
	json.Unmarshal([]byte(gu["allowed_updates"]), &allowed)
	if !slices.Equal(allowed, AllowedUpdates) || gu["offset"] != "" || gu["timeout"] != "1" {
		t.Errorf("first getUpdates %v", gu)
	}

	// A crash after handling u3, before its offset was saved: Telegram
	// still holds u3 and sends it with u4.
	if err := offsets.SaveOffset(u3); err != nil {
		t.Fatal(err)
	}
	e.api.PushUpdate(withID(u3, textUpdate(700000403, "uk", "Добрий день, як повернутися додому?", 1781000103)))
	u4 := e.api.PushUpdate(textUpdate(700000404, "fa", "سلام، چطور می‌توانم به کشورم برگردم؟", 1781000104))
	ch = newChannel()
	stop = startPolling(t, ch)
	waitFor(t, "the update after the restart", func() bool { return saved() == u4+1 })
	stop()
	if got := e.counts()["inbound_dedupe"]; got != 4 {
		t.Errorf("%d recorded, want 4", got)
	}
	if sent := e.deliver(); !slices.Equal(chats(sent), []string{"700000404"}) {
		t.Errorf("after the restart answered %v, want only 700000404", chats(sent))
	}
	if first := e.api.CallsOf("getUpdates"); first[len(first)-1].Params["offset"] == "" {
		t.Error("getUpdates after the restart without the saved offset")
	}

	// A quiet week: ids restart lower. The offset follows the update
	// received, so it is neither repeated nor skipped.
	low := int64(117314199)
	e.api.PushUpdate(withID(low, textUpdate(700000405, "fr", "Bonjour, je veux rentrer chez moi", 1781900105)))
	ch = newChannel()
	stop = startPolling(t, ch)
	waitFor(t, "the lower update id", func() bool { return saved() == low+1 })
	e.api.PushUpdate(withID(low+1, textUpdate(700000406, "fr", "Bonjour, quelle aide au retour ?", 1781900106)))
	waitFor(t, "the next one", func() bool { return saved() == low+2 })
	stop()
	if sent := e.deliver(); !slices.Equal(chats(sent), []string{"700000405", "700000406"}) {
		t.Errorf("after the id restart answered %v", chats(sent))
	}
}

// withID gives an update made by textUpdate its update_id.
func withID(id int64, update string) string {
	return fmt.Sprintf(`{"update_id":%d,%s`, id, update[1:])
}

// chats lists the chats answered, each once, in order.
func chats(calls []telegramtest.Call) []string {
	var out []string
	for _, c := range calls {
		if id := c.Params["chat_id"]; !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// TestPollingCallbacksAndFailures: a button press is answered with
// answerCallbackQuery; an update the engine fails on is tried again, not
// skipped; a malformed one is skipped without stopping the rest.
func TestPollingCallbacksAndFailures(t *testing.T) {
	e := newEnv(t, nil)
	s := &flaky{fails: 1, next: e.engine}
	ch, err := New(e.ch.cfg, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.worker.Senders[bot.ChannelTelegram] = ch
	e.api.PushUpdate(`{"update_id":900000001,"message":{"message_id":1,"date":1781000201}}`) // no chat
	e.api.PushUpdate(textUpdate(700000501, "so", "Salaan, sidee baan dalkayga ugu laaban karaa?", 1781000202))
	last := e.api.PushUpdate(string(fixture(t, "09-callback-language")))
	stop := startPolling(t, ch)
	waitFor(t, "the button press answered", func() bool { return len(e.api.CallsOf("answerCallbackQuery")) == 1 })
	waitFor(t, "the offset past the button press", func() bool { n, _ := ch.loadOffset(); return n == last+1 })
	stop()
	if got := e.api.CallsOf("answerCallbackQuery")[0].Params["callback_query_id"]; got != "3047215638201834561" {
		t.Errorf("answered %q", got)
	}
	if s.calls != 3 {
		t.Errorf("engine called %d times, want 3 (a failure, its retry, the button)", s.calls)
	}
	if sent := e.deliver(); !slices.Equal(chats(sent), []string{"700000501", "700000109"}) {
		t.Errorf("answered %v", chats(sent))
	}
}

// flaky fails its first calls, then hands over to next.
type flaky struct {
	fails, calls int
	next         Handler
}

func (f *flaky) Handle(ctx context.Context, in bot.Inbound) error {
	f.calls++
	if f.calls <= f.fails {
		return errTest
	}
	return f.next.Handle(ctx, in)
}

func TestFileOffsets(t *testing.T) {
	f := FileOffsets{Path: filepath.Join(t.TempDir(), "offset")}
	if n, err := f.LoadOffset(); n != 0 || err != nil {
		t.Fatalf("no file: %d %v", n, err)
	}
	for _, n := range []int64{812345602, 117314200} {
		if err := f.SaveOffset(n); err != nil {
			t.Fatal(err)
		}
		if got, err := f.LoadOffset(); got != n || err != nil {
			t.Errorf("LoadOffset = %d %v, want %d", got, err, n)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(f.Path), ".telegram-offset-*")); len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}
