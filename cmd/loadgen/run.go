package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// Options describe one load run.
type Options struct {
	// Binary is the passerelle binary to start; empty means Targets.
	Binary string
	// Targets are base URLs of servers already running (configured with
	// the environment the run prints); used when Binary is empty.
	Targets []string
	// Replicas is how many processes to start (1 with SQLite).
	Replicas int
	// DatabaseURL is PostgreSQL for the servers and the checker; empty
	// means SQLite in the first replica's data dir (or SQLitePath).
	DatabaseURL string
	// SQLitePath is the SQLite file the checker reads with Targets.
	SQLitePath string
	// Dir holds the data dirs and server logs.
	Dir string

	Rate     float64       // messages a second, all people together
	Duration time.Duration // how long to send
	People   int           // at least this many people
	MinGap   time.Duration // least time between two messages of one person
	Mix      mix

	// KillAfter, when set, SIGKILLs replica 0 that long after the load
	// starts, and restarts it on the same data RestartAfter later.
	KillAfter, RestartAfter time.Duration
	// KillInFlight makes the kill wait, at most two seconds past
	// KillAfter, until that many webhook requests are under way to the
	// replica, then up to two more seconds for at least one, so that the
	// crash interrupts some.
	KillInFlight int
	// Conns is how many connections each provider keeps open to each
	// replica (default 40, Telegram's default max_connections).
	Conns int
	// Replay is the share of acknowledged messages delivered a second time
	// (a lost 200), to check the service ignores them.
	Replay float64
	// Quiet bounds the wait for every reply once sending is over.
	Quiet time.Duration
	// ServerEnv is extra KEY=VALUE configuration for the servers.
	ServerEnv []string
	// Progress receives a line every few seconds; may be nil.
	Progress io.Writer
	Seed     uint64

	// beforeCheck, when set, runs once the replies have drained and before
	// the check (tests inject faults the check must find).
	beforeCheck func(ctx context.Context, db *sql.DB, d *doubles) error
}

// Report is what a run measured.
type Report struct {
	Opts      Options
	People    int
	Languages []string
	Sent      int           // messages scheduled and sent at least once
	Window    time.Duration // from the first scheduled send to the last one queued
	// LastAck is when the last message was acknowledged, after the first
	// scheduled send: Acked/LastAck is the throughput achieved.
	LastAck    time.Duration
	Acked      int
	AckedFirst int // acknowledged on the first attempt
	Attempts   int
	Replays    int // acknowledged messages delivered again on purpose
	ConnErrors int
	Status     map[int]int
	Latency    Percentiles // all answered requests
	LatencyOK  Percentiles // requests answered 2xx
	Lag        Percentiles // first attempt's start after its scheduled time
	Replies    int         // accepted by the doubles
	// LastReply is when the last reply reached a double, after the last
	// acknowledgement; Drained tells whether the outbox emptied in time.
	LastReply time.Duration
	Drained   bool
	Kill      *KillReport
	Memory    [][]memory // per replica, per process run
	// LoadBefore and LoadAfter are the machine's one-minute load average
	// at the start and at the end of sending (other work shares the CPUs).
	LoadBefore, LoadAfter string
	CPUs                  int
	Verdict               *Verdict
}

// KillReport says what the crash interrupted.
type KillReport struct {
	At                time.Duration // after the load started
	Restarted         time.Duration // after the load started (ready again)
	InFlight          int           // requests under way to the killed replica
	SentBefore        int           // messages started before the kill
	AckedBefore       int
	RepliesBefore     int // replies at the doubles at the kill
	QueuedAtKill      int // replies in the outbox not yet sent, just after the kill
	SentAfterRestart  int // messages first sent after the restart
	MessagesRemaining int // messages still to be scheduled at the kill
}

// Run runs the load: doubles, servers, messages, the wait for quiet, the
// check. tb owns the doubles (a test, or cleanups).
func Run(ctx context.Context, tb testing.TB, o Options) (*Report, error) {
	if o.Rate <= 0 || o.Duration <= 0 {
		return nil, errors.New("rate and duration must be positive")
	}
	if o.Replicas < 1 {
		o.Replicas = 1
	}
	if o.DatabaseURL == "" && o.Replicas > 1 && o.Binary != "" {
		return nil, errors.New("several replicas need PostgreSQL (-database-url)")
	}
	if o.KillAfter > 0 && o.Binary == "" {
		return nil, errors.New("a kill needs servers started here (-bin)")
	}
	if o.MinGap <= 0 {
		o.MinGap = 3 * time.Second
	}
	if o.Conns <= 0 {
		o.Conns = 40
	}
	if o.Quiet <= 0 {
		o.Quiet = 3 * time.Minute
	}
	if o.Mix == (mix{}) {
		o.Mix = mix{Telegram: 0.4, SMS: 0.3, WhatsApp: 0.3}
	}
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	rng := rand.New(rand.NewPCG(o.Seed, uint64(time.Now().UnixNano())))
	pool, err := loadQuestions(10)
	if err != nil {
		return nil, err
	}
	acc := newAccounts()
	dbl := startDoubles(tb, acc)
	env := append(dbl.env(acc), "PASSERELLE_LOG_LEVEL=warn")
	if o.DatabaseURL != "" {
		env = append(env, "PASSERELLE_DATABASE_URL="+o.DatabaseURL)
	}
	env = append(env, o.ServerEnv...)

	replicas, err := startReplicas(ctx, o, env, progress)
	defer func() {
		for _, r := range replicas {
			r.stop()
		}
	}()
	if err != nil {
		return nil, err
	}
	sqlitePath := o.SQLitePath
	if sqlitePath == "" && o.DatabaseURL == "" {
		sqlitePath = filepath.Join(o.Dir, "replica0", "passerelle.db")
	}
	db, err := openDB(o.DatabaseURL, sqlitePath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	secret, _ := hex.DecodeString(acc.SecretKey)
	keys, err := bot.NewKeyring(secret)
	if err != nil {
		return nil, err
	}

	// The schedule: message k at k/rate, person k mod P, replica k mod R.
	n := int(math.Round(o.Rate * o.Duration.Seconds()))
	np := max(o.People, int(math.Ceil(o.Rate*o.MinGap.Seconds())))
	perPerson := (n + np - 1) / np
	base := 100_000_000 + rng.Int64N(800_000_000)
	people := makePeople(np, perPerson, o.Mix, pool, base, rng)
	t0 := time.Now().Add(500 * time.Millisecond)
	msgs := make([]*inbound, n)
	dels := make([]*delivery, n)
	updateBase := int64(rng.Int32N(1 << 30))
	for k := range msgs {
		p := people[k%np]
		text := p.questions[k/np]
		at := t0.Add(time.Duration(float64(k) / o.Rate * float64(time.Second)))
		if p.Channel == bot.ChannelTelegram {
			msgs[k], err = telegramUpdate(p, updateBase+int64(k), k/np+1, at.Unix(), text, acc.WebhookSecret)
			if err != nil {
				return nil, err
			}
		} else {
			to := acc.SMSFrom
			if p.Channel == bot.ChannelWhatsApp {
				to = acc.WhatsAppFrom
			}
			msgs[k] = twilioMessage(p, twiliotest.SID("SM"), acc.TwilioSID, acc.TwilioToken, acc.PublicURL, to, text)
		}
		msgs[k].Seq = k
		dels[k] = &delivery{}
	}
	rep := &Report{Opts: o, People: np, Languages: pool.langs(), Sent: n}
	fmt.Fprintf(progress, "load: %d messages from %d people (%d each, one every %.1fs) in %s at %.0f/s to %d replica(s)\n",
		n, np, perPerson, float64(np)/o.Rate, strings.Join(pool.langs(), ","), o.Rate, len(replicas))

	rep.LoadBefore, rep.CPUs = loadAverage(), runtime.NumCPU()
	snd := newSender(replicas, o.Conns, 2*n+16)
	snd.replay = o.Replay
	mon := startMonitor(dbl, replicas)
	defer mon.stop()
	killed := make(chan *KillReport, 1)
	if o.KillAfter > 0 {
		go func() { killed <- crash(ctx, o, t0, replicas[0], snd, dbl, db, n) }()
	}
	lastProgress := time.Now()
	for k, m := range msgs {
		at := t0.Add(time.Duration(float64(k) / o.Rate * float64(time.Second)))
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		snd.send(m, dels[k], at, k%len(replicas))
		if time.Since(lastProgress) > 5*time.Second {
			lastProgress = time.Now()
			fmt.Fprintf(progress, "  t=%4.0fs sent %d acked %d replies %d\n", time.Since(t0).Seconds(), k+1, snd.acked.Load(), mon.replies())
		}
	}
	lastSend := time.Now()
	rep.LoadAfter = loadAverage()
	rep.Window = lastSend.Sub(t0)
	snd.giveUp.Store(time.Now().Add(o.Quiet).UnixNano())
	if o.KillAfter > 0 {
		rep.Kill = <-killed
		if rep.Kill == nil {
			return nil, errors.New("the kill or the restart failed; see the server logs in " + o.Dir)
		}
	}
	waited := make(chan struct{})
	go func() { snd.wait(); close(waited) }()
	for tick := time.NewTicker(5 * time.Second); ; {
		select {
		case <-tick.C:
			fmt.Fprintf(progress, "  t=%4.0fs all queued at the providers; acked %d replies %d\n", time.Since(t0).Seconds(), snd.acked.Load(), mon.replies())
			continue
		case <-waited:
			tick.Stop()
		}
		break
	}
	fmt.Fprintf(progress, "  every message acknowledged (or given up) after %.1fs; waiting for every reply\n", time.Since(t0).Seconds())
	rep.Drained = waitQuiet(ctx, db, mon, lastSend.Add(o.Quiet))
	rep.fill(snd, dels, dbl, replicas, t0)
	rep.LastReply = max(0, mon.lastChange().Sub(t0)-rep.LastAck)
	for _, r := range replicas {
		r.sample()
	}
	if o.beforeCheck != nil {
		if err := o.beforeCheck(ctx, db, dbl); err != nil {
			return nil, err
		}
	}
	v, err := check(ctx, db, keys, people, msgs, dels, dbl)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	rep.Verdict = v
	rep.Replies = dbl.replyCount()
	for _, r := range replicas {
		rep.Memory = append(rep.Memory, r.memories())
	}
	return rep, nil
}

// startReplicas starts the servers, or waits for the targets after
// printing the configuration they need.
func startReplicas(ctx context.Context, o Options, env []string, progress io.Writer) ([]*replica, error) {
	var out []*replica
	if o.Binary == "" {
		fmt.Fprintln(progress, "start the servers with this configuration (plus PASSERELLE_ADDR and PASSERELLE_DATA_DIR):")
		for _, e := range env {
			fmt.Fprintln(progress, "  "+e)
		}
		for i, u := range o.Targets {
			r := &replica{Index: i, URL: strings.TrimRight(u, "/")}
			if err := waitReady(ctx, r.URL, nil, "its log"); err != nil {
				return out, err
			}
			out = append(out, r)
		}
		return out, nil
	}
	for i := range o.Replicas {
		r, err := newReplica(i, o.Binary, o.Dir, env)
		if err != nil {
			return out, err
		}
		out = append(out, r)
		start := time.Now()
		if err := r.start(ctx); err != nil {
			return out, err
		}
		fmt.Fprintf(progress, "replica %d ready at %s in %.1fs (log %s)\n", i, r.URL, time.Since(start).Seconds(), r.log)
	}
	return out, nil
}

// crash kills r at t0+KillAfter, notes what was in flight, and restarts
// it RestartAfter later. It returns nil when either failed.
func crash(ctx context.Context, o Options, t0 time.Time, r *replica, snd *sender, dbl *doubles, db *sql.DB, n int) *KillReport {
	time.Sleep(time.Until(t0.Add(o.KillAfter)))
	// Wait for KillInFlight requests under way, then (a fast server may
	// seldom have that many) for at least one, two seconds at most each.
	for _, want := range []int{o.KillInFlight, min(o.KillInFlight, 1)} {
		for end := time.Now().Add(2 * time.Second); int(snd.inflight[r.Index].Load()) < want && time.Now().Before(end); {
			time.Sleep(100 * time.Microsecond)
		}
	}
	k := &KillReport{
		InFlight: int(snd.inflight[r.Index].Load()), SentBefore: int(snd.started.Load()),
		AckedBefore: int(snd.acked.Load()), RepliesBefore: dbl.replyCount(),
	}
	if err := r.kill(); err != nil {
		return nil
	}
	k.At = time.Since(t0)
	k.MessagesRemaining = n - int(snd.started.Load())
	if q, err := queuedReplies(ctx, db); err == nil {
		k.QueuedAtKill = q
	}
	time.Sleep(o.RestartAfter)
	if err := r.start(ctx); err != nil {
		return nil
	}
	k.Restarted = time.Since(t0)
	k.SentAfterRestart = n - int(snd.started.Load())
	return k
}
