package console

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-org/passerelle/channels/web/browsertest"

	"github.com/passerelle-org/passerelle/bot"
)

// newBrowser starts the shared headless Chromium (see browsertest) and
// returns its tab.
func newBrowser(t *testing.T) context.Context {
	return browsertest.New(t, 45*time.Second)
}

const stepTimeout = 5 * time.Second

func do(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitJS waits until expr is true, across the page loads a form post
// causes.
func waitJS(t *testing.T, tab context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithTimeout(tab, 500*time.Millisecond)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s still false (%v)", what, expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBrowserCaseworker is a caseworker's shift in a real browser: log in,
// see the urgent Tigrinya conversation at the top, see a new one arrive
// without reloading, claim, read the transcript, send the Tigrinya article
// chosen by its French title, reply, close; the person's outbox holds the
// article, the reply and the bot's handoff.closed, in order.
func TestBrowserCaseworker(t *testing.T) {
	e := newEnv(t)
	e.account("amanuel@example.org", bot.RoleCaseworker, "ti")
	t0 := time.Now().Add(-time.Hour)
	e.handoff(bot.ChannelSMS, "+33600000001", "ar", "مرحبا", false, t0)
	h := e.handoff(bot.ChannelTelegram, "1001", "ti", tiText, true, t0.Add(time.Minute))
	tab := newBrowser(t)

	do(t, tab, "opening the console", chromedp.Navigate(e.srv.URL+"/console/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)))
	do(t, tab, "logging in",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "amanuel@example.org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`#queue`)))
	first := eval[string](t, tab, `document.querySelector("#queue li.handoff").dataset.id`)
	if first != fmt.Sprint(h.ID) {
		t.Fatalf("first in the queue: handoff %s, want the urgent Tigrinya one %d", first, h.ID)
	}
	if !eval[bool](t, tab, `document.querySelector("#queue li.handoff").classList.contains("urgent")`) {
		t.Error("the first handoff is not shown as urgent")
	}

	// A new handoff arrives while the queue is open.
	late := e.handoff(bot.ChannelTelegram, "1002", "ti", "ሓገዝ", false, time.Now())
	e.console.Notify()
	waitJS(t, tab, "live update of the queue",
		fmt.Sprintf(`!!document.querySelector('#queue li[data-id="%d"]')`, late.ID))

	do(t, tab, "claiming", chromedp.Click(chromedp.CSS(fmt.Sprintf(`li[data-id="%d"] button.claim`, h.ID))),
		chromedp.WaitVisible(chromedp.ID("reply-text")))
	got := eval[string](t, tab, `document.querySelector("#transcript li.in p").textContent`)
	if got != tiText {
		t.Errorf("transcript shows %q, want %q", got, tiText)
	}
	if eval[string](t, tab, `document.querySelector("#transcript li.in p").getAttribute("dir")`) != "auto" {
		t.Error("transcript text without dir=auto")
	}
	if eval[bool](t, tab, `!!document.querySelector("#transcript script")`) {
		t.Error("the person's <script> became an element")
	}

	// The person writes while the page is open: the transcript shows it
	// without a reload, and the reply box keeps what the caseworker typed.
	do(t, tab, "typing a draft", chromedp.SendKeys(chromedp.ID("reply-text"), "draft"))
	const more = "ሓደ ሕቶ ተወሳኺ ኣሎኒ"
	err := e.store.InTx(context.Background(), func(tx bot.Tx) error {
		_, _, err := tx.RecordInbound(context.Background(), bot.Inbound{Channel: bot.ChannelTelegram,
			Address: "1001", ProviderID: "live-1", Text: more, ReceivedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.console.OnInbound(h.ConversationID)
	waitJS(t, tab, "the person's new message, live",
		`[...document.querySelectorAll("#transcript li.in p")].some(p => p.textContent === `+jsString(more)+`)`)
	if v := eval[string](t, tab, `document.getElementById("reply-text").value`); v != "draft" {
		t.Errorf("the live update lost the draft reply: %q", v)
	}
	eval[bool](t, tab, `(document.getElementById("reply-text").value = "", true)`)

	// The console speaks the caseworker's interface language (French or
	// English), down to the banner the script shows when the queue moves.
	lang := eval[string](t, tab, `document.documentElement.lang`)
	if lang != "fr" && lang != "en" {
		t.Fatalf("interface language %q, want fr or en", lang)
	}
	ui := catalog.Printer(lang)
	if got := eval[string](t, tab, `document.getElementById("send").textContent`); got != ui.T("console.conv.send", nil) {
		t.Errorf("send button %q, want %q", got, ui.T("console.conv.send", nil))
	}
	e.console.Notify()
	waitJS(t, tab, "the queue-changed banner", `!!document.querySelector("#queue-changed a")`)
	banner := eval[string](t, tab, `document.getElementById("queue-changed").textContent`)
	if want := ui.T("console.live.queue_changed", nil) + " " + ui.T("console.live.open_queue", nil); banner != want {
		t.Errorf("banner %q, want %q", banner, want)
	}

	// The article, chosen by its French title.
	topic := kb.ArticlesIn("ti")[0].Topic
	fr, ok := kb.Article(topic, "fr")
	if !ok {
		t.Fatalf("no French article for %s", topic)
	}
	chosen := eval[string](t, tab, `(() => { const s = document.getElementById("topic");
		const o = [...s.options].find(o => o.textContent.includes(`+jsString(fr.Title)+`));
		if (!o) return ""; s.value = o.value; return o.value; })()`)
	if chosen != topic {
		t.Fatalf("article %q not found by its French title %q", topic, fr.Title)
	}
	do(t, tab, "sending the article", chromedp.Click(chromedp.ID("send-article")),
		chromedp.WaitVisible(chromedp.CSS(`#transcript li.caseworker`)))

	reply := "ሰላም! I am Amanuel, a caseworker."
	do(t, tab, "replying", chromedp.SendKeys(chromedp.ID("reply-text"), reply), chromedp.Click(chromedp.ID("send")))
	waitJS(t, tab, "the reply in the transcript", `document.querySelectorAll("#transcript li.caseworker").length == 2`)

	do(t, tab, "closing", chromedp.Click(chromedp.ID("close")), chromedp.WaitVisible(chromedp.CSS(`#queue`)))
	if eval[bool](t, tab, fmt.Sprintf(`!!document.querySelector('#queue li[data-id="%d"]')`, h.ID)) {
		t.Error("closed handoff still in the queue")
	}

	out, err := e.store.Outbox(t.Context(), h.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	art, _ := kb.Article(topic, "ti")
	want := []string{art.Title + "\n\n" + art.Summary, reply, catalog.Printer("ti").T("handoff.closed", nil)}
	var texts []string
	for _, o := range out {
		texts = append(texts, o.Text)
	}
	if strings.Join(texts, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("the person gets %q, want %q", texts, want)
	}
}
