package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testEnv runs the real program with its own data dir and captured output.
func testEnv(t testing.TB, stdin string, vars map[string]string) (*runEnv, *bytes.Buffer, *bytes.Buffer) {
	dir := t.TempDir()
	all := map[string]string{"PASSERELLE_DATA_DIR": dir, "PASSERELLE_ADDR": "127.0.0.1:0"}
	for k, v := range vars {
		all[k] = v
	}
	out, errb := &bytes.Buffer{}, &bytes.Buffer{}
	return &runEnv{stdin: strings.NewReader(stdin), stdout: out, stderr: errb, getenv: env(all)}, out, errb
}

// startServer runs Main on a free port and returns its base URL.
func startServer(t *testing.T) (string, *Main) {
	base, m, _ := startWith(t, nil)
	return base, m
}

// startWith runs `passerelle serve` (Main) with vars over a fresh data
// dir and a free port until the test ends, and returns its base URL, the
// Main and its logs.
func startWith(t *testing.T, vars map[string]string) (string, *Main, *bytes.Buffer) {
	t.Helper()
	all := map[string]string{"PASSERELLE_DATA_DIR": t.TempDir(), "PASSERELLE_ADDR": "127.0.0.1:0"}
	for k, v := range vars {
		all[k] = v
	}
	cfg, err := loadConfig("", env(all))
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	m := &Main{Config: cfg, Log: newLogger(logs, "info")}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		m.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		m.Close()
	})
	for deadline := time.Now().Add(20 * time.Second); !m.ready.Load(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("serve did not become ready")
		}
	}
	return "http://" + m.Addr.Load().(string), m, logs
}

func TestServeSimulatorEndToEnd(t *testing.T) {
	base, _ := startServer(t)
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		res, err := http.Get(base + path)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, res, err)
		}
		res.Body.Close()
	}
	session := "e2e-session-0001"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/sim/events?session="+session, nil)
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	events := bufio.NewScanner(stream.Body)

	post := func(id, text string) {
		body := fmt.Sprintf(`{"session":%q,"id":%q,"text":%q,"surface":"telegram"}`, session, id, text)
		res, err := http.Post(base+"/sim/send", "application/json", strings.NewReader(body))
		if err != nil || res.StatusCode != http.StatusAccepted {
			t.Fatalf("send: %v %v", res, err)
		}
		res.Body.Close()
	}
	next := func() map[string]any {
		for events.Scan() {
			line := events.Text()
			if strings.HasPrefix(line, "data: ") {
				var ev map[string]any
				if err := json.Unmarshal([]byte(line[6:]), &ev); err != nil {
					t.Fatal(err)
				}
				return ev
			}
		}
		t.Fatalf("stream ended: %v", events.Err())
		return nil
	}
	post("1", "Bonjour, comment demander l'aide au retour à l'OFII ?")
	var texts []string
	for {
		ev := next()
		texts = append(texts, ev["text"].(string))
		if ev["options"] != nil {
			break
		}
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "OFII") {
		t.Fatalf("no answer about OFII in:\n%s", all)
	}
	// Malformed input is refused, not lost silently.
	res, _ := http.Post(base+"/sim/send", "application/json", strings.NewReader("{"))
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed body: %d", res.StatusCode)
	}
}

func TestChatScriptedThroughStdin(t *testing.T) {
	e, out, _ := testEnv(t, "hello\nlang:fr\nmenu\n", nil)
	if err := run(context.Background(), []string{"chat", "--as", "sms"}, e); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "1. English") || !strings.Contains(s, "Français") {
		t.Fatalf("SMS language list not numbered:\n%s", s)
	}
}

func TestEvalPrintsEveryFigure(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "eval", "dev.jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Skip("no shared/eval/dev.jsonl beside the project")
	}
	e, out, _ := testEnv(t, "", nil)
	if err := run(context.Background(), []string{"eval", path, "--json"}, e); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("eval --json is not JSON: %v\n%s", err, out)
	}
	for _, k := range append(evalKeys, "n", "by_lang") {
		if _, ok := got[k]; !ok {
			t.Errorf("eval --json lacks %q", k)
		}
	}
	if n := got["n"].(float64); n < 100 {
		t.Errorf("n = %v", n)
	}
	if len(got["by_lang"].(map[string]any)) != 16 {
		t.Errorf("by_lang has %d languages", len(got["by_lang"].(map[string]any)))
	}
}

func TestKBCheckAndFlowsCheck(t *testing.T) {
	e, out, _ := testEnv(t, "", nil)
	if err := run(context.Background(), []string{"kb", "check"}, e); err != nil {
		t.Fatalf("kb check: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "articles, 0 errors") {
		t.Fatalf("kb check output:\n%s", out)
	}
	bad := filepath.Join(t.TempDir(), "x.md")
	os.MkdirAll(filepath.Join(filepath.Dir(bad), "no.such-topic"), 0o755)
	os.WriteFile(filepath.Join(filepath.Dir(bad), "no.such-topic", "en.md"), []byte("---\ntopic: no.such-topic\n---\nbody\n"), 0o644)
	e2, out2, _ := testEnv(t, "", map[string]string{"PASSERELLE_KB_DIR": filepath.Dir(bad)})
	if err := run(context.Background(), []string{"kb", "check"}, e2); err == nil || !strings.Contains(out2.String(), "en.md") {
		t.Fatalf("kb check accepted a bad article: %v\n%s", err, out2)
	}
	e3, out3, _ := testEnv(t, "", nil)
	if err := run(context.Background(), []string{"flows", "check"}, e3); err != nil {
		t.Fatalf("flows check: %v\n%s", err, out3)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		e, _, errb := testEnv(t, "", nil)
		err := run(context.Background(), append(splitName(c.name), "--help"), e)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errb.String(), "usage: passerelle "+c.name) {
			t.Errorf("%s --help: %v\n%s", c.name, err, errb)
		}
	}
}

// TestHelpCommand: "passerelle help" prints every command, and succeeds.
func TestHelpCommand(t *testing.T) {
	e, out, _ := testEnv(t, "", nil)
	if err := run(context.Background(), []string{"help"}, e); err != nil {
		t.Fatalf("help: %v", err)
	}
	for _, c := range commands() {
		if !strings.Contains(out.String(), c.name) {
			t.Errorf("help does not list %q:\n%s", c.name, out)
		}
	}
}

func TestInvalidConfigStopsTheStart(t *testing.T) {
	e, _, _ := testEnv(t, "", map[string]string{"PASSERELLE_RETENTION_DAYS": "-3"})
	err := run(context.Background(), []string{"serve"}, e)
	if err == nil || !strings.Contains(err.Error(), "PASSERELLE_RETENTION_DAYS") {
		t.Fatalf("serve with a bad value: %v", err)
	}
}

// BenchmarkStartToReady measures Open (locales, articles, index, flows,
// store) until the service could answer, and the heap it holds after.
func BenchmarkStartToReady(b *testing.B) {
	for i := 0; i < b.N; i++ {
		cfg, _ := loadConfig("", env(map[string]string{"PASSERELLE_DATA_DIR": b.TempDir()}))
		m := &Main{Config: cfg, Log: newLogger(&bytes.Buffer{}, "error")}
		if err := m.Open(context.Background()); err != nil {
			b.Fatal(err)
		}
		if i == b.N-1 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
		}
		m.Close()
	}
}
