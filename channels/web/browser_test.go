package web

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/passerelle-org/passerelle/channels/web/browsertest"

	"github.com/passerelle-org/passerelle/bot"
)

// newBrowser starts the shared headless Chromium (see browsertest) and
// returns its tab.
func newBrowser(t *testing.T) context.Context {
	return browsertest.New(t, 30*time.Second)
}

// stepTimeout bounds one browser step; a step is a click or a wait for a
// reply, which takes milliseconds.
const stepTimeout = 5 * time.Second

// do runs browser steps, failing the test on error.
func do(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
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

// waitBubbles waits until the page shows n replies from the bot.
func waitBubbles(t *testing.T, tab context.Context, n int) {
	t.Helper()
	do(t, tab, "waiting for the bot's reply",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.querySelectorAll("#log li.bot").length >= `+itoa(int64(n)),
				chromedp.WithPollingTimeout(stepTimeout))(ctx, tg)
			return err
		}))
}

// waitInbound returns the next message the engine receives.
func waitInbound(t *testing.T, f *fakeEngine) bot.Inbound {
	t.Helper()
	select {
	case in := <-f.inbox:
		return in
	case <-time.After(stepTimeout):
		t.Fatal("the engine received nothing")
	}
	return bot.Inbound{}
}

// insertText puts text in the focused element as an input method commits
// it. Typing key by key (SendKeys) cannot enter invisible characters such
// as ZWNJ, which Persian keyboards type.
func insertText(text string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return chromedp.Void{}, err
	}
}

// compose shows text as an input method's unconfirmed composition.
func compose(text string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		n := int64(len([]rune(text)))
		_, err := cdp.Call(ctx, tg, input.ImeSetComposition, input.ImeSetCompositionParams{Text: text, SelectionStart: n, SelectionEnd: n})
		return chromedp.Void{}, err
	}
}

// enter presses Enter (with Shift when shift) in the focused element as a
// keyboard does in Chrome: one keyDown that carries the text, so that a
// handler that prevents its default also prevents the line break.
// (kb.Enter sends a separate char event, which Chrome does not suppress.)
func enter(shift bool) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		ev := input.DispatchKeyEventParams{Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if shift {
			ev.Modifiers = 8
		}
		down, up := ev, ev
		down.Type, down.Text, down.UnmodifiedText = input.DispatchKeyEventTypeKeyDown, "\r", "\r"
		up.Type = input.DispatchKeyEventTypeKeyUp
		for _, e := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, e); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	}
}

// bubble is what a person sees of one reply.
type bubble struct {
	Text      string   `json:"text"`
	Dir       string   `json:"dir"`
	Lang      string   `json:"lang"`
	Surface   string   `json:"surface"`
	Direction string   `json:"direction"` // computed
	TextAlign string   `json:"textAlign"` // computed
	Buttons   []string `json:"buttons"`
	Meta      string   `json:"meta"`
	Left      float64  `json:"left"`   // gap to the conversation's left edge, px
	Hidden    float64  `json:"hidden"` // px of the bubble below the visible part of the conversation
}

const lastBubbleJS = `(() => {
	const li = [...document.querySelectorAll("#log li.bot")].at(-1);
	const log = document.getElementById("log");
	const cs = getComputedStyle(li), r = li.getBoundingClientRect(), lr = log.getBoundingClientRect();
	const pad = parseFloat(getComputedStyle(log).paddingLeft);
	return {
		text: li.firstChild.textContent, dir: li.getAttribute("dir") || "", lang: li.getAttribute("lang") || "",
		surface: li.dataset.surface || "", direction: cs.direction, textAlign: cs.textAlign,
		buttons: [...li.querySelectorAll("button")].map(b => b.textContent),
		meta: (li.querySelector(".meta") || {}).textContent || "",
		left: r.left - lr.left - pad,
		hidden: Math.max(0, r.bottom - lr.bottom),
	};
})()`

// lastBubble returns the bot's latest reply as shown.
func lastBubble(t *testing.T, tab context.Context) bubble {
	t.Helper()
	return eval[bubble](t, tab, lastBubbleJS)
}

// fakeBot answers as the engine would, simply: an echo with two options,
// the option's payload when one is pressed, and an Arabic greeting.
func fakeBot(in bot.Inbound) []bot.Outbound {
	o := bot.Outbound{Channel: bot.ChannelWeb, Surface: in.Surface, Address: in.Address, Lang: "en"}
	opts := []bot.Option{{Label: "Housing", Payload: "topic:housing"}, {Label: "Health", Payload: "topic:health"}}
	switch {
	case in.Payload != "":
		o.Text = "You chose " + in.Payload + "."
	case in.Text == "مرحبا":
		o.Lang, o.Text = "ar", "أهلاً! كيف يمكنني مساعدتك؟"
		opts = []bot.Option{{Label: "السكن", Payload: "topic:housing"}, {Label: "الصحة", Payload: "topic:health"}}
	default:
		o.Text = "You wrote: " + in.Text
	}
	if in.Payload == "" {
		o.Options = opts
		if in.Surface == bot.SurfaceSMS { // the engine numbers options in the text
			o.Text += "\n1 " + opts[0].Label + "\n2 " + opts[1].Label
		}
	}
	return []bot.Outbound{o}
}

// console collects what the page writes to the console: it should write
// no error (an exception, a CSP violation, a failed request).
type console struct {
	mu   sync.Mutex
	errs []string
	done chan struct{}
}

func watchConsole(tab context.Context) (*console, context.CancelFunc) {
	ctx, cancel := context.WithCancel(tab)
	c := &console{done: make(chan struct{})}
	msgs := chromedp.Console(ctx)
	go func() {
		defer close(c.done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				c.mu.Lock()
				c.errs = append(c.errs, m.String()+" ("+m.URL+")")
				c.mu.Unlock()
			}
		}
	}()
	return c, func() { cancel(); <-c.done }
}

// screenshot saves what the page looks like, to look at after a change
// of style: go test -run Browser -artifacts -outputdir DIR.
func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func TestBrowser(t *testing.T) {
	tab := newBrowser(t)
	_, f, srv := newSim(t, fakeBot)
	con, stopConsole := watchConsole(tab)

	do(t, tab, "opening the simulator",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("text")),
	)
	session := eval[string](t, tab, `sessionStorage.getItem("passerelle-session")`)
	if !sessionRE.MatchString(session) {
		t.Fatalf("the page's session %q is not one the server accepts", session)
	}

	// Type a message and press Enter.
	do(t, tab, "typing", chromedp.SendKeys(chromedp.ID("text"), "hello"), enter(false))
	in := waitInbound(t, f)
	if in.Text != "hello" || in.Payload != "" || in.Surface != bot.SurfaceTelegram || in.Address != session ||
		in.Channel != bot.ChannelWeb || !strings.HasPrefix(in.ProviderID, session+":") {
		t.Errorf("engine got %+v", in)
	}
	waitBubbles(t, tab, 1)
	if b := lastBubble(t, tab); b.Text != "You wrote: hello" || !slices.Equal(b.Buttons, []string{"Housing", "Health"}) ||
		b.Dir != "ltr" || b.Surface != "telegram" || b.Meta != "" {
		t.Errorf("reply shown as %+v", b)
	}
	if v := eval[string](t, tab, `document.getElementById("text").value`); v != "" {
		t.Errorf("the text box still holds %q after sending", v)
	}
	if me := eval[string](t, tab, `document.querySelector("#log li.me").textContent`); me != "hello" {
		t.Errorf("the person's bubble shows %q", me)
	}

	// Press an option button: the engine gets its payload.
	do(t, tab, "pressing Housing", chromedp.Click(chromedp.CSS(`#log li.bot .buttons button`)))
	in = waitInbound(t, f)
	if in.Payload != "topic:housing" || in.Text != "Housing" {
		t.Errorf("engine got text %q payload %q, want Housing topic:housing", in.Text, in.Payload)
	}
	waitBubbles(t, tab, 2)
	if b := lastBubble(t, tab); b.Text != "You chose topic:housing." {
		t.Errorf("reply to the button shown as %q", b.Text)
	}

	// Render as SMS, choosing it with the keyboard as a person may.
	do(t, tab, "choosing SMS", chromedp.SendKeys(chromedp.ID("surface"), "s"))
	if v := eval[string](t, tab, `document.getElementById("surface").value`); v != "sms" {
		t.Fatalf("render as = %q after typing s, want sms", v)
	}
	do(t, tab, "typing", chromedp.SendKeys(chromedp.ID("text"), "what does it cost?"), enter(false))
	if in = waitInbound(t, f); in.Surface != bot.SurfaceSMS {
		t.Errorf("engine got surface %q, want sms", in.Surface)
	}
	waitBubbles(t, tab, 3)
	b := lastBubble(t, tab)
	if b.Surface != "sms" || len(b.Buttons) != 0 {
		t.Errorf("SMS reply shown as %+v: an SMS has no buttons", b)
	}
	if !regexp.MustCompile(`^1 SMS segment\(s\), GSM-7$`).MatchString(b.Meta) {
		t.Errorf("SMS segment line = %q, want 1 SMS segment(s), GSM-7", b.Meta)
	}
	if !strings.HasSuffix(b.Text, "\n1 Housing\n2 Health") {
		t.Errorf("SMS text = %q, want the numbered options", b.Text)
	}

	// Back to Telegram; an Arabic reply reads right to left.
	do(t, tab, "choosing Telegram", chromedp.SendKeys(chromedp.ID("surface"), "t"))
	do(t, tab, "typing Arabic", chromedp.SendKeys(chromedp.ID("text"), "مرحبا"), enter(false))
	if in = waitInbound(t, f); in.Text != "مرحبا" || in.Surface != bot.SurfaceTelegram {
		t.Errorf("engine got %+q on %s", in.Text, in.Surface)
	}
	waitBubbles(t, tab, 4)
	b = lastBubble(t, tab)
	if b.Dir != "rtl" || b.Lang != "ar" || b.Direction != "rtl" {
		t.Errorf("Arabic reply: dir %q lang %q direction %q, want rtl ar rtl", b.Dir, b.Lang, b.Direction)
	}
	if b.TextAlign != "right" && b.TextAlign != "start" {
		t.Errorf("Arabic reply: text-align %q", b.TextAlign)
	}
	if !slices.Equal(b.Buttons, []string{"السكن", "الصحة"}) {
		t.Errorf("Arabic reply buttons = %q", b.Buttons)
	}
	// A bot bubble sits on one side whatever its language: the reader
	// tells who speaks by the side, as in every messaging app.
	if b.Left > 1 {
		t.Errorf("the Arabic reply is %.0fpx from the left edge; bot bubbles start at the left", b.Left)
	}

	screenshot(t, tab, "arabic.png")

	// Persian with a zero-width non-joiner goes through the page unchanged.
	const persian = "می\u200cخواهم"
	do(t, tab, "typing Persian", chromedp.Focus(chromedp.ID("text")), insertText(persian), enter(false))
	if in = waitInbound(t, f); in.Text != persian {
		t.Errorf("engine got %+q, want %+q", in.Text, persian)
	}
	waitBubbles(t, tab, 5)
	if b = lastBubble(t, tab); b.Text != "You wrote: "+persian {
		t.Errorf("reply shown as %+q", b.Text)
	}

	if b.Hidden > 1 {
		t.Errorf("the latest reply is cut: %.0fpx of it (its buttons) below the visible conversation", b.Hidden)
	}

	// Shift+Enter starts a new line; Enter sends both lines.
	do(t, tab, "typing two lines",
		chromedp.SendKeys(chromedp.ID("text"), "line one"), enter(true),
		chromedp.SendKeys(chromedp.ID("text"), "line two"), enter(false))
	if in = waitInbound(t, f); in.Text != "line one\nline two" {
		t.Errorf("engine got %q, want two lines", in.Text)
	}
	waitBubbles(t, tab, 6)

	// Enter while an input method composes (an Ethiopic keyboard, say)
	// confirms the composition; it must not send half a word.
	const mine = `document.querySelectorAll("#log li.me").length`
	before := eval[int](t, tab, mine)
	do(t, tab, "composing", chromedp.Focus(chromedp.ID("text")), compose("ሰላ"), enter(false))
	if n := eval[int](t, tab, mine); n != before {
		t.Errorf("Enter during a composition sent the message")
	}
	do(t, tab, "confirming", insertText("ሰላም።"), enter(false))
	if in = waitInbound(t, f); in.Text != "ሰላም።" {
		t.Errorf("engine got %+q, want ሰላም።", in.Text)
	}
	waitBubbles(t, tab, 7)

	screenshot(t, tab, "end.png")

	// When the engine cannot take a message, the page says to resend it.
	f.setErr(errors.New("store down"))
	do(t, tab, "typing", chromedp.SendKeys(chromedp.ID("text"), "are you there?"), enter(false))
	do(t, tab, "waiting for the warning", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`[...document.querySelectorAll("#log li.bot")].some(li => /send it again/.test(li.textContent))`,
			chromedp.WithPollingTimeout(stepTimeout))(ctx, tg)
		return err
	}))
	f.setErr(nil)

	// "New" starts a new conversation: a new session, an empty log, and
	// replies still arrive (the stream follows the new session).
	do(t, tab, "pressing New", chromedp.Click(chromedp.ID("reset")))
	if n := eval[int](t, tab, `document.querySelectorAll("#log li").length`); n != 0 {
		t.Errorf("the log has %d bubbles after New", n)
	}
	fresh := eval[string](t, tab, `sessionStorage.getItem("passerelle-session")`)
	if fresh == session || !sessionRE.MatchString(fresh) {
		t.Errorf("session after New = %q (was %q)", fresh, session)
	}
	do(t, tab, "typing", chromedp.SendKeys(chromedp.ID("text"), "again"), enter(false))
	if in = waitInbound(t, f); in.Address != fresh {
		t.Errorf("engine got address %q, want the new session %q", in.Address, fresh)
	}
	waitBubbles(t, tab, 1)
	if b = lastBubble(t, tab); b.Text != "You wrote: again" {
		t.Errorf("reply after New shown as %q", b.Text)
	}

	stopConsole()
	con.mu.Lock()
	defer con.mu.Unlock()
	for _, e := range con.errs {
		if strings.Contains(e, "503") { // the failed send above, on purpose
			continue
		}
		t.Errorf("console: %s", e)
	}
}
