// Command passerelle runs Passerelle and its tools: the service itself
// (serve), a terminal conversation (chat), the understanding evaluation
// (eval), knowledge-base and flow checks, and data purge.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(ctx context.Context, env *runEnv, args []string) error
}

// runEnv is what a subcommand may use: streams and the environment, passed
// in so tests run the real program.
type runEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	configPath     string
}

func commands() []command {
	return []command{
		{"serve", "", "run the service: simulator at /, webhooks, /healthz, /readyz", runServe},
		{"chat", "[--lang xx] [--as sms|whatsapp|telegram]", "talk to the bot in the terminal; one message a line on standard input", runChat},
		{"eval", "FILE.jsonl [--json]", "measure language id, triage and search on an evaluation file", runEval},
		{"kb check", "", "validate the articles and print topic x language coverage", runKBCheck},
		{"kb search", "\"text\" [--lang xx]", "show ranked hits and scores for a question", runKBSearch},
		{"kb sync", "[--timeout 5m]", "push the articles and search settings to Meilisearch (PASSERELLE_MEILI_URL); swaps in fresh indexes, prints what changed", runKBSync},
		{"flows check", "[FILE.yaml...]", "validate flow files (default: the built-in flows)", runFlowsCheck},
		{"links", "--campaign CODE [--lang xx] [--topic id] [--bot NAME]", "print the links (Telegram t.me; WhatsApp and SMS when Twilio is set) for an outreach campaign", runLinks},
		{"caseworker add", "EMAIL --name NAME [--languages ar,ti] [--role caseworker|admin] [--generate]", "create a console account; password from standard input, a prompt, or --generate", runCaseworkerAdd},
		{"purge", "", "delete messages older than the retention period now", runPurge},
		{"version", "", "print the version", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: passerelle [--config FILE] COMMAND [ARGS]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n      %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintln(w, "\nconfiguration: PASSERELLE_* environment variables (see README); `passerelle COMMAND --help` for each command.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], &runEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "passerelle:", err)
		os.Exit(1)
	}
}

// run dispatches args to a subcommand.
func run(ctx context.Context, args []string, env *runEnv) error {
	global := flag.NewFlagSet("passerelle", flag.ContinueOnError)
	global.SetOutput(env.stderr)
	global.StringVar(&env.configPath, "config", "", "YAML configuration file")
	global.Usage = func() { usage(env.stderr) }
	if err := global.Parse(args); err != nil {
		return err
	}
	args = global.Args()
	if len(args) == 0 {
		usage(env.stderr)
		return errors.New("no command given")
	}
	if args[0] == "help" {
		usage(env.stdout)
		return nil
	}
	for _, c := range commands() {
		words := splitName(c.name)
		if len(args) >= len(words) && equal(args[:len(words)], words) {
			return c.run(ctx, env, args[len(words):])
		}
	}
	usage(env.stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

// newFlags makes a subcommand's flag set with a --help that prints its use.
func newFlags(env *runEnv, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	for _, c := range commands() {
		if c.name == name {
			fs.Usage = func() {
				fmt.Fprintf(env.stderr, "usage: passerelle %s %s\n  %s\n", c.name, c.args, c.help)
				fs.PrintDefaults()
			}
		}
	}
	return fs
}

// parseInterleaved parses flags that may come after positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func splitName(s string) []string {
	var out []string
	word := ""
	for _, r := range s {
		if r == ' ' {
			out = append(out, word)
			word = ""
			continue
		}
		word += string(r)
	}
	return append(out, word)
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (env *runEnv) config() (Config, error) {
	return loadConfig(env.configPath, env.getenv)
}

func runVersion(ctx context.Context, env *runEnv, args []string) error {
	if err := newFlags(env, "version").Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "passerelle", version)
	return nil
}

func runServe(ctx context.Context, env *runEnv, args []string) error {
	if err := newFlags(env, "serve").Parse(args); err != nil {
		return err
	}
	cfg, err := env.config()
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Log: newLogger(env.stderr, cfg.LogLevel)}
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}
