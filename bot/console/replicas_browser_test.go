package console

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserQueueAcrossReplicas: a caseworker's queue is open in a real
// browser on replica B; a person asks for help through replica A; the
// row appears on B's page without a reload.
func TestBrowserQueueAcrossReplicas(t *testing.T) {
	base, schemaURL, schema := pgSchema(t)
	a, b := newReplica(t, schemaURL, "replica-a"), newReplica(t, schemaURL, "replica-b")
	a.caseworker(t, "amanuel@example.org", "Amanuel")
	tab := newBrowser(t)
	do(t, tab, "opening the console on B", chromedp.Navigate(b.srv.URL+"/console/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)))
	do(t, tab, "logging in on B",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "amanuel@example.org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`#queue`)))
	waitSubscribed(t, b.console)
	listenerPIDs(t, base, schema, a.name, b.name)

	h := a.openHandoff(t, "1001", "ti", tiText)
	waitJS(t, tab, "the handoff opened on A, live on B",
		fmt.Sprintf(`!!document.querySelector('#queue li[data-id="%d"]')`, h.ID))
}

// waitSubscribed waits until a page's event stream is open on c.
func waitSubscribed(t *testing.T, c *Console) {
	t.Helper()
	for deadline := time.Now().Add(waitFor); ; time.Sleep(20 * time.Millisecond) {
		c.events.mu.Lock()
		n := len(c.events.subs)
		c.events.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the page opened no event stream")
		}
	}
}
