package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	var (
		o       Options
		targets string
		env     multi
		tg, sms float64
		wa      float64
		keep    bool
	)
	fs.StringVar(&o.Binary, "bin", "", "passerelle binary to start (go build -o X ./cmd/passerelle); empty: use -targets")
	fs.StringVar(&targets, "targets", "", "comma-separated base URLs of servers already running (the run prints the configuration they need)")
	fs.IntVar(&o.Replicas, "replicas", 1, "processes to start (more than 1 needs -database-url)")
	fs.StringVar(&o.DatabaseURL, "database-url", "", "PostgreSQL URL for the servers and the check; empty: SQLite")
	fs.StringVar(&o.SQLitePath, "sqlite", "", "with -targets on SQLite: the passerelle.db file to check")
	fs.StringVar(&o.Dir, "dir", "", "directory for data and server logs (default: a new temporary directory)")
	fs.Float64Var(&o.Rate, "rate", 100, "inbound messages a second, all people together")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to send")
	fs.IntVar(&o.People, "people", 2000, "people writing (raised so that nobody writes more often than -min-gap)")
	fs.DurationVar(&o.MinGap, "min-gap", 3*time.Second, "least time between two messages of one person")
	fs.Float64Var(&tg, "telegram", 0.4, "share of people on Telegram")
	fs.Float64Var(&sms, "sms", 0.3, "share of people on SMS")
	fs.Float64Var(&wa, "whatsapp", 0.3, "share of people on WhatsApp")
	fs.DurationVar(&o.KillAfter, "kill-after", 0, "SIGKILL replica 0 this long after the load starts (0: no crash)")
	fs.IntVar(&o.KillInFlight, "kill-in-flight", 5, "delay the kill (by 2s at most) until this many webhook requests are under way to replica 0")
	fs.DurationVar(&o.RestartAfter, "restart-after", time.Second, "restart the killed replica on the same data after this pause")
	fs.DurationVar(&o.Quiet, "quiet-timeout", 3*time.Minute, "longest wait for every reply once sending is over")
	fs.IntVar(&o.Conns, "conns", 40, "connections each provider keeps open to each replica (Telegram's max_connections default)")
	fs.Float64Var(&o.Replay, "replay", 0.02, "share of acknowledged messages delivered once more (a lost 200); the service must ignore them")
	fs.Var(&env, "server-env", "extra KEY=VALUE for the servers (repeatable), e.g. PASSERELLE_TWILIO_RATE=500")
	fs.BoolVar(&keep, "keep", false, "keep -dir (data and logs) when it was created here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if targets != "" {
		o.Targets = strings.Split(targets, ",")
	}
	if o.Binary == "" && len(o.Targets) == 0 {
		return errors.New("give -bin (start servers) or -targets (servers already running)")
	}
	o.Mix, o.ServerEnv, o.Progress = mix{tg, sms, wa}, env, os.Stderr
	if o.Dir == "" {
		dir, err := os.MkdirTemp("", "loadgen-")
		if err != nil {
			return err
		}
		o.Dir = dir
		if !keep {
			defer os.RemoveAll(dir)
		}
	}
	c := &cleanups{}
	defer c.run()
	rep, err := Run(ctx, c, o)
	if err != nil {
		return err
	}
	rep.Print(os.Stdout)
	if !rep.Verdict.ExactlyOnce() || !rep.Drained {
		return errors.New("not every message got its replies exactly once")
	}
	return nil
}
