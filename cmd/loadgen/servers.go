package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// replica is one `passerelle serve` process the load generator started,
// or (with no binary) a server someone else runs at URL.
type replica struct {
	Index int
	URL   string // http://127.0.0.1:PORT
	addr  string
	env   []string
	bin   string
	log   string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	// lives are the memory figures of each process this replica ran
	// (a restart after a kill adds one).
	lives []*memory
}

// memory is what /proc says about one process's memory.
type memory struct {
	PID int
	// PeakKB is VmHWM (peak resident set) at the last reading, MaxRSSKB
	// the largest VmRSS sampled.
	PeakKB, MaxRSSKB int64
	// CPU is the user+system CPU time the process had used at the last
	// reading, Startup what it had used when it was first ready.
	CPU, Startup time.Duration
}

// freeAddr finds a free loopback port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// newReplica prepares replica i: its own data dir under dir and its log
// file; env is the shared configuration.
func newReplica(i int, bin, dir string, env []string) (*replica, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, fmt.Sprintf("replica%d", i))
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	r := &replica{Index: i, URL: "http://" + addr, addr: addr, bin: bin, log: filepath.Join(dir, fmt.Sprintf("replica%d.log", i))}
	r.env = append(append(os.Environ(), env...), "PASSERELLE_ADDR="+addr, "PASSERELLE_DATA_DIR="+data)
	return r, nil
}

// start runs the process and waits until /readyz answers 200.
func (r *replica) start(ctx context.Context) error {
	logf, err := os.OpenFile(r.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("replica %d: %w", r.Index, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done = cmd, done
	r.lives = append(r.lives, &memory{PID: cmd.Process.Pid})
	r.mu.Unlock()
	if err := waitReady(ctx, r.URL, done, r.log); err != nil {
		return err
	}
	if cpu, err := readCPU(cmd.Process.Pid); err == nil {
		r.mu.Lock()
		r.lives[len(r.lives)-1].Startup = cpu
		r.mu.Unlock()
	}
	return nil
}

// waitReady polls url/readyz until it answers 200, the process exits
// (exited may be nil for a server not ours) or ctx ends.
func waitReady(ctx context.Context, url string, exited <-chan struct{}, log string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited before it was ready; see %s", url, log)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w", url, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (r *replica) kill() error {
	r.sample()
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd == nil {
		return errors.New("not running")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-done
	return nil
}

// stop ends the process with SIGTERM (graceful shutdown), SIGKILL after
// 15 seconds.
func (r *replica) stop() {
	r.sample()
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// sample reads VmHWM and VmRSS of the running process.
func (r *replica) sample() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lives) == 0 {
		return
	}
	m := r.lives[len(r.lives)-1]
	hwm, rss, err := readMemory(m.PID)
	if err != nil {
		return // exited
	}
	m.PeakKB = max(m.PeakKB, hwm)
	m.MaxRSSKB = max(m.MaxRSSKB, rss)
	if cpu, err := readCPU(m.PID); err == nil {
		m.CPU = max(m.CPU, cpu)
	}
}

// readCPU reads utime+stime from /proc/PID/stat (clock ticks, 100 a
// second on Linux).
func readCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) start at state.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// loadAverage is the first figure of /proc/loadavg: how many processes
// wanted a CPU, averaged over the last minute.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// memories returns a copy of the figures of each process run.
func (r *replica) memories() []memory {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]memory, len(r.lives))
	for i, m := range r.lives {
		out[i] = *m
	}
	return out
}

// readMemory reads VmHWM and VmRSS (kB) from /proc/PID/status.
func readMemory(pid int) (hwm, rss int64, err error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if k == "VmHWM" {
			hwm = n
		} else {
			rss = n
		}
	}
	if hwm == 0 && rss == 0 {
		return 0, 0, errors.New("no memory figures (zombie?)")
	}
	return hwm, rss, sc.Err()
}
