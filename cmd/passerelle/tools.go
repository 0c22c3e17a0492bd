package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
)

// terminalSender prints replies, numbering the options as the person
// would see them.
type terminalSender struct{ w io.Writer }

func (s terminalSender) Send(ctx context.Context, o bot.Outbound) (string, error) {
	fmt.Fprintln(s.w, o.Text)
	if o.Surface != bot.SurfaceSMS {
		for i, opt := range o.Options {
			fmt.Fprintf(s.w, "  [%d] %s\n", i+1, opt.Label)
		}
	}
	fmt.Fprintln(s.w, "--")
	return "", nil
}

func runChat(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlags(env, "chat")
	lang := fs.String("lang", "", "start in this language (code from languages.yaml)")
	as := fs.String("as", "telegram", "render replies as sms, whatsapp or telegram")
	if err := fs.Parse(args); err != nil {
		return err
	}
	surface, ok := bot.ParseSurface(*as)
	if !ok {
		return fmt.Errorf("--as: %q is not sms, whatsapp or telegram", *as)
	}
	cfg, err := env.config()
	if err != nil {
		return err
	}
	// A chat is a try-out: it keeps nothing once it ends.
	dir, err := os.MkdirTemp("", "passerelle-chat-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DataDir, cfg.DatabaseURL = dir, "" // never the service's database
	m := &Main{Config: cfg, Log: newLogger(env.stderr, "warn")}
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	m.Worker.Senders[bot.ChannelWeb] = terminalSender{env.stdout}
	sc := bufio.NewScanner(env.stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		in := bot.Inbound{Channel: bot.ChannelWeb, Surface: surface, Address: "terminal",
			ProviderID: strconv.Itoa(n), Text: sc.Text(), LangHint: *lang}
		if err := m.Engine.Handle(ctx, in); err != nil {
			return err
		}
		for {
			k, err := m.Worker.Drain(ctx)
			if err != nil {
				return err
			}
			if k == 0 {
				break
			}
		}
	}
	return sc.Err()
}

// loadKB loads the configured articles without building an index.
func loadKB(env *runEnv) (*knowledge.Base, error) {
	cfg, err := env.config()
	if err != nil {
		return nil, err
	}
	var fsys fs.FS = articles.FS
	if cfg.KBDir != "" {
		fsys = os.DirFS(cfg.KBDir)
	}
	return knowledge.Load(fsys)
}

// runKBCheck validates every article, prints the coverage grid (written
// and reviewed counts per language), then every problem: files that do
// not parse or validate, summaries over their SMS budget, and figures
// (amounts, phone numbers, deadlines, years) that differ from the English
// article. It ends with "N articles, M errors" and fails on any error.
func runKBCheck(ctx context.Context, env *runEnv, args []string) error {
	if err := newFlags(env, "kb check").Parse(args); err != nil {
		return err
	}
	base, err := loadKB(env)
	var probs knowledge.Problems
	if err != nil && (!errors.As(err, &probs) || base == nil) {
		return err
	}
	if err := knowledge.WriteCoverage(env.stdout, base.Coverage()); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout)
	for _, a := range base.Articles() {
		s := channels.SMSPrepare(strings.Join(strings.Fields(a.Summary), " "))
		if n := channels.SMSSegments(s); n > 2 {
			probs = append(probs, knowledge.Problem{Path: a.Path,
				Msg: fmt.Sprintf("summary costs %d SMS segments (%s), more than 2", n, channels.SMSEncoding(s))})
		}
	}
	probs = append(probs, knowledge.CheckFacts(base)...)
	for _, p := range probs {
		fmt.Fprintln(env.stdout, p.String())
	}
	fmt.Fprintf(env.stdout, "%d articles, %d errors\n", len(base.Articles()), len(probs))
	if len(probs) > 0 {
		return fmt.Errorf("kb check: %d errors", len(probs))
	}
	return nil
}

func runKBSearch(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlags(env, "kb search")
	lang := fs.String("lang", "", "the person's language (default: detected)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errors.New("kb search: no text given")
	}
	cfg, err := env.config()
	if err != nil {
		return err
	}
	m := &Main{Config: cfg}
	if err := m.openContent(); err != nil {
		return err
	}
	text := strings.Join(pos, " ")
	l := *lang
	if l == "" {
		l = searchLangOf(text)
	}
	hits, err := m.Search.Search(ctx, text, l, 10)
	if err != nil {
		return err
	}
	threshold := cfg.AnswerThreshold
	if threshold == 0 {
		threshold = knowledge.DefaultThreshold
	}
	fmt.Fprintf(env.stdout, "lang=%s threshold=%.2f\n", l, threshold)
	for i, h := range hits {
		mark := " "
		if h.Confidence >= threshold {
			mark = "*"
		}
		fmt.Fprintf(env.stdout, "%2d %s %-40s %-4s score=%.3f confidence=%.2f\n", i+1, mark, h.Topic, h.Lang, h.Score, h.Confidence)
	}
	if len(hits) == 0 {
		fmt.Fprintln(env.stdout, "no hits")
	}
	return nil
}

func runPurge(ctx context.Context, env *runEnv, args []string) error {
	if err := newFlags(env, "purge").Parse(args); err != nil {
		return err
	}
	cfg, err := env.config()
	if err != nil {
		return err
	}
	secret, err := cfg.secretKey()
	if err != nil {
		return err
	}
	keys, err := bot.NewKeyring(secret)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, keys, time.Now)
	if err != nil {
		return err
	}
	defer st.Close()
	before := time.Now().UTC().AddDate(0, 0, -cfg.RetentionDays)
	n, err := st.Purge(ctx, before)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "purged %d rows older than %s\n", n, before.Format(time.RFC3339))
	return nil
}
