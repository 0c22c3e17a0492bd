package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDebugProfiler checks that the profiler answers on its own address
// when PASSERELLE_DEBUG_ADDR is set, and never on the public one.
func TestDebugProfiler(t *testing.T) {
	base, m, _ := startWith(t, map[string]string{"PASSERELLE_DEBUG_ADDR": "127.0.0.1:0"})
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + m.DebugAddr.Load().(string) + "/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("profiler index: %d %.80q", code, body)
	}
	if code, _ := get(base + "/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("profiler on the public address: %d, want 404", code)
	}
	if _, err := loadConfig("", env(map[string]string{"PASSERELLE_DEBUG_ADDR": "6060"})); err == nil || !strings.Contains(err.Error(), "PASSERELLE_DEBUG_ADDR") {
		t.Errorf("bad PASSERELLE_DEBUG_ADDR: %v", err)
	}
}
