package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// monitor samples, four times a second, the replies at the doubles (to
// know when the last one arrived) and each server's memory.
type monitor struct {
	dbl      *doubles
	replicas []*replica
	quit     chan struct{}
	done     chan struct{}

	mu      sync.Mutex
	count   int
	changed time.Time
}

func startMonitor(dbl *doubles, replicas []*replica) *monitor {
	m := &monitor{dbl: dbl, replicas: replicas, quit: make(chan struct{}), done: make(chan struct{}), changed: time.Now()}
	go func() {
		defer close(m.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.quit:
				return
			case <-t.C:
			}
			n := dbl.replyCount()
			m.mu.Lock()
			if n != m.count {
				m.count, m.changed = n, time.Now()
			}
			m.mu.Unlock()
			for _, r := range replicas {
				r.sample()
			}
		}
	}()
	return m
}

func (m *monitor) stop() {
	select {
	case <-m.quit:
	default:
		close(m.quit)
	}
	<-m.done
}

func (m *monitor) replies() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count
}

// lastChange is when the reply count last moved.
func (m *monitor) lastChange() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changed
}

// waitQuiet waits until the outbox holds nothing to send and no reply has
// arrived for two seconds, or until deadline; true when quiet.
func waitQuiet(ctx context.Context, db *sql.DB, m *monitor, deadline time.Time) bool {
	for time.Now().Before(deadline) && ctx.Err() == nil {
		q, err := queuedReplies(ctx, db)
		if err == nil && q == 0 && time.Since(m.lastChange()) > 2*time.Second {
			return true
		}
		time.Sleep(250 * time.Millisecond)
	}
	return false
}

// Percentiles summarise durations.
type Percentiles struct {
	N                  int
	P50, P95, P99, Max time.Duration
}

func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return Percentiles{N: len(s), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: s[len(s)-1]}
}

func (p Percentiles) String() string {
	r := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s  (n=%d)", r(p.P50), r(p.P95), r(p.P99), r(p.Max), p.N)
}

// fill copies the sender's and the replicas' figures into the report.
func (rep *Report) fill(snd *sender, dels []*delivery, dbl *doubles, replicas []*replica, t0 time.Time) {
	snd.mu.Lock()
	rep.Latency, rep.LatencyOK, rep.Lag = percentiles(snd.lat), percentiles(snd.latOK), percentiles(snd.lag)
	rep.Status, rep.ConnErrors = snd.status, snd.connErr
	snd.mu.Unlock()
	for _, d := range dels {
		rep.Attempts += d.Attempts
		if d.Acked {
			rep.Acked++
			rep.LastAck = max(rep.LastAck, d.AckedAt.Sub(t0))
		}
		if d.FirstOK {
			rep.AckedFirst++
		}
	}
	rep.Replays = int(snd.replays.Load())
}

// Print writes the report for people.
func (rep *Report) Print(w io.Writer) {
	o := rep.Opts
	store := "SQLite"
	if o.DatabaseURL != "" {
		store = "PostgreSQL"
	}
	fmt.Fprintf(w, "\n== loadgen: %s, %d replica(s), offered %.0f msg/s for %s, %d people, languages %s\n",
		store, max(o.Replicas, len(rep.Memory)), o.Rate, o.Duration, rep.People, strings.Join(rep.Languages, ","))
	fmt.Fprintf(w, "inbound   %d messages scheduled over %.1fs (%.0f msg/s offered); acknowledged %d (%d on the first try), the last at %.1fs: %.0f msg/s achieved; %d requests, %d without an answer\n",
		rep.Sent, rep.Window.Seconds(), float64(rep.Sent)/max(rep.Window.Seconds(), 1e-9), rep.Acked, rep.AckedFirst,
		rep.LastAck.Seconds(), float64(rep.Acked)/max(rep.LastAck.Seconds(), 1e-9), rep.Attempts, rep.ConnErrors)
	codes := make([]int, 0, len(rep.Status))
	for c := range rep.Status {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d: %d", c, rep.Status[c]))
	}
	fmt.Fprintf(w, "answers   %s; %d acknowledged messages delivered again on purpose\n", strings.Join(parts, ", "), rep.Replays)
	fmt.Fprintf(w, "webhook latency (2xx)   %s\n", rep.LatencyOK)
	fmt.Fprintf(w, "webhook latency (all)   %s\n", rep.Latency)
	fmt.Fprintf(w, "delay before the first attempt (waiting for one of %d connections per provider, or generator lag)   %s\n", o.Conns, rep.Lag)
	drained := "every queued reply sent"
	if !rep.Drained {
		drained = "NOT drained before the quiet timeout"
	}
	fmt.Fprintf(w, "replies   %d at the doubles; the last %.1fs after the last acknowledgement (%s)\n", rep.Replies, rep.LastReply.Seconds(), drained)
	if k := rep.Kill; k != nil {
		fmt.Fprintf(w, "kill -9   replica 0 at %.1fs with %d requests in flight, %d messages acknowledged and %d still to send, %d replies delivered and %d queued; ready again at %.1fs, %d messages sent after\n",
			k.At.Seconds(), k.InFlight, k.AckedBefore, k.MessagesRemaining, k.RepliesBefore, k.QueuedAtKill, k.Restarted.Seconds(), k.SentAfterRestart)
	}
	var cpu time.Duration
	for i, lives := range rep.Memory {
		for j, m := range lives {
			cpu += m.CPU - m.Startup
			fmt.Fprintf(w, "memory    replica %d process %d (pid %d): peak RSS (VmHWM) %.1f MB, largest sampled RSS %.1f MB; CPU %.1fs after %.1fs to start\n",
				i, j+1, m.PID, float64(m.PeakKB)/1024, float64(m.MaxRSSKB)/1024, (m.CPU - m.Startup).Seconds(), m.Startup.Seconds())
		}
	}
	if rep.Acked > 0 && cpu > 0 { // servers not started here have no figures
		per := cpu / time.Duration(rep.Acked)
		fmt.Fprintf(w, "cpu       servers used %.1f CPU-seconds once ready, %.2f ms per inbound message (with its replies): about %.0f msg/s per core; %d CPUs, load average %s before, %s at the end of sending\n",
			cpu.Seconds(), float64(per.Microseconds())/1000, float64(time.Second)/float64(per), rep.CPUs, rep.LoadBefore, rep.LoadAfter)
	}
	v := rep.Verdict
	fmt.Fprintf(w, "check     %d people, %d conversations; inbound: %d sent, %d acknowledged, %d recorded once, %d lost, %d recorded twice, %d never acknowledged, %d unknown\n",
		v.People, v.Conversations, v.Sent, v.Acked, v.RecordedOnce, v.Lost, v.RecordedTwice, v.Unacked, v.Unknown)
	fmt.Fprintf(w, "          replies: %d expected, %d inbound unanswered, %d undelivered, %d transcript/outbox mismatches; at the doubles %d, missing %d, doubled %d (%d of a send under way at a crash); %d outbox rows retried\n",
		v.Expected, v.Unanswered, v.Undelivered, v.Mismatched, v.AtDoubles, v.Missing, v.Doubled, v.DoubledInFlight, v.Retried)
	verdict := "EXACTLY ONCE: every inbound message recorded once and its replies delivered once"
	if !v.ExactlyOnce() {
		verdict = "NOT exactly once"
	}
	fmt.Fprintf(w, "verdict   %s\n", verdict)
	for _, p := range v.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
}
