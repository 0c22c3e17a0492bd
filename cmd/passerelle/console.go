package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // the caseworker time zone works on hosts without zoneinfo

	"golang.org/x/term"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/console"
	"github.com/passerelle-org/passerelle/bot/postgres"
	"github.com/passerelle-org/passerelle/locales"
)

// openConsole builds the caseworker console when the store supports it
// (SQLite and PostgreSQL do; otherwise /console/ is not served) and makes
// new handoffs reach it at once. On PostgreSQL the live updates go through
// LISTEN/NOTIFY, so a caseworker sees a handoff opened on another replica;
// the console listens until closeConsole.
func (m *Main) openConsole() error {
	hours, err := m.Config.workingHours()
	if err != nil {
		return err
	}
	m.Engine.Hours = hours
	cs, ok := m.Store.(bot.ConsoleStore)
	if !ok {
		m.Log.Warn("caseworker console disabled: the store does not support it yet")
		return nil
	}
	log := m.Log.With("component", "console")
	var events bot.Events // nil: one process, live updates stay in it
	if ps, ok := m.Store.(*postgres.Store); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if events, err = ps.Events(ctx, log); err != nil {
			return err
		}
	}
	var c *console.Console
	c, err = console.New(console.Options{
		Store: cs, Locales: m.Locales, Articles: m.KB, Log: log,
		Clock: m.Clock, Delivered: m.Worker.Wake, Events: events,
		// Plain-HTTP deployments (a laptop on a LAN) need a cookie without
		// Secure; localhost works either way in current browsers.
		Insecure: strings.HasPrefix(m.Config.PublicURL, "http://"),
	})
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	m.Engine.OnInbound = c.OnInbound
	prev := m.Engine.OnHandoff
	m.Engine.OnHandoff = func(h bot.Handoff) {
		if prev != nil {
			prev(h)
		}
		c.OnHandoff(h)
		if m.Config.CaseworkerChat != "" && m.Telegram != nil {
			go m.alertGroup(c, m.Telegram, h)
		}
	}
	m.console = c
	return nil
}

// alertGroup tells the caseworkers' Telegram group that a handoff opened:
// priority, language, channel and link, no personal data. It is best
// effort: a failure is logged, the console shows the handoff anyway.
func (m *Main) alertGroup(c *console.Console, s bot.Sender, h bot.Handoff) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	text, err := c.AlertText(ctx, h, m.Config.PublicURL)
	if err == nil {
		_, err = s.Send(ctx, bot.Outbound{Channel: bot.ChannelTelegram, Surface: bot.SurfaceTelegram,
			Address: m.Config.CaseworkerChat, Text: text})
	}
	if err != nil {
		m.Log.Warn("caseworker group alert failed", "component", "console", "handoff", h.ID, "err", err)
	}
}

// consoleRoutes serves the console under /console/ when it is enabled.
func (m *Main) consoleRoutes(mux *http.ServeMux) {
	if m.console != nil {
		m.console.Routes(mux)
	}
}

// closeConsole ends the console's event streams and its listening
// connection at shutdown; calling it again does nothing.
func (m *Main) closeConsole() {
	if m.console != nil {
		m.console.Close()
	}
}

// runCaseworkerAdd creates a console account. The password comes from
// standard input when it is not a terminal (scripts), is prompted for when
// it is, or is generated with --generate and printed once.
func runCaseworkerAdd(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlags(env, "caseworker add")
	name := fs.String("name", "", "display name (required)")
	langs := fs.String("languages", "", "language codes the caseworker reads, comma-separated, e.g. ar,ti")
	role := fs.String("role", bot.RoleCaseworker, "caseworker or admin")
	generate := fs.Bool("generate", false, "generate a password and print it once")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !strings.Contains(pos[0], "@") {
		fs.Usage()
		return errors.New("caseworker add: give one EMAIL")
	}
	if *name == "" {
		return errors.New("caseworker add: --name is required")
	}
	if *role != bot.RoleCaseworker && *role != bot.RoleAdmin {
		return fmt.Errorf("caseworker add: --role %q: want caseworker or admin", *role)
	}
	cfg, err := env.config()
	if err != nil {
		return err
	}
	cat, err := locales.Load()
	if err != nil {
		return fmt.Errorf("load locales: %w", err)
	}
	var codes []string
	for _, l := range strings.Split(*langs, ",") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if _, ok := cat.Language(l); !ok {
			return fmt.Errorf("caseworker add: --languages: unknown language %q", l)
		}
		codes = append(codes, l)
	}
	password := ""
	if *generate {
		password = console.GeneratePassword()
	} else if password, err = readPassword(env); err != nil {
		return err
	}
	hash, err := console.HashPassword(password)
	if err != nil {
		return fmt.Errorf("caseworker add: %w", err)
	}
	store, err := openConsoleStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	cw, err := store.CreateCaseworker(ctx, bot.Caseworker{Email: pos[0], Name: *name, Languages: codes,
		Role: *role, PasswordHash: hash})
	if err != nil {
		return fmt.Errorf("caseworker add: %w", err)
	}
	fmt.Fprintf(env.stdout, "created %s %s (%s), languages %s\n", cw.Role, cw.Email, cw.Name, strings.Join(codes, ","))
	if *generate {
		fmt.Fprintf(env.stdout, "password (shown once): %s\n", password)
	}
	return nil
}

// readPassword prompts on a terminal (no echo, twice) or reads the first
// line of standard input.
func readPassword(env *runEnv) (string, error) {
	if f, ok := env.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.stderr, "Password (at least 12 characters): ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(env.stderr, "Again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(p1) != string(p2) {
			return "", errors.New("passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("caseworker add: no password on standard input (or use --generate)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// openConsoleStore opens the store for account management.
func openConsoleStore(ctx context.Context, cfg Config) (bot.ConsoleStore, error) {
	secret, err := cfg.secretKey()
	if err != nil {
		return nil, err
	}
	keys, err := bot.NewKeyring(secret)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("PASSERELLE_DATA_DIR: %w", err)
	}
	s, err := openStore(ctx, cfg, keys, nil)
	if err != nil {
		return nil, err
	}
	cs, ok := s.(bot.ConsoleStore)
	if !ok {
		s.Close()
		return nil, errors.New("caseworker add: this store does not support console accounts")
	}
	return cs, nil
}

// workingHours parses PASSERELLE_CASEWORKER_HOURS in
// PASSERELLE_CASEWORKER_TIMEZONE; nil (always open) when the hours are empty.
func (c Config) workingHours() (*bot.WorkingHours, error) {
	if c.CaseworkerHours == "" {
		if _, err := time.LoadLocation(c.CaseworkerTimezone); err != nil {
			return nil, fmt.Errorf("PASSERELLE_CASEWORKER_TIMEZONE: %w", err)
		}
		return nil, nil
	}
	w, err := bot.ParseWorkingHours(c.CaseworkerHours, c.CaseworkerTimezone)
	if err != nil {
		return nil, fmt.Errorf("PASSERELLE_CASEWORKER_HOURS: %w", err)
	}
	return w, nil
}
