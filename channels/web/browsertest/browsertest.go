// Package browsertest starts the headless Chromium the project's browser
// tests use (the simulator's and the caseworker console's), with the flags
// this workplace needs: no network but the test server, no background
// services, a fresh profile per browser. It is test support only.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium finds the browser. Without one the test is skipped on a
// developer's machine, and fails in CI (which installs the Debian package
// chromium).
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found and CI is set: CI must install it (Debian package chromium)")
	}
	t.Skip("no Chromium found: install it (apt-get install chromium) to run the browser test")
	return ""
}

// New starts a phone-sized headless Chromium and returns its tab. The whole
// test must fit in timeout; the browser stops when the test ends.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := Chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	// No UserDataDir: chromedp makes a fresh one per browser and removes
	// it (retrying while helper processes finish) when the browser stops.
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers have a small /dev/shm
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(420, 760),
	)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return tab
}
