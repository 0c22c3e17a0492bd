package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/passerelle-org/passerelle/bot"
)

// channelName is the NOTIFY channel of the console's live updates.
const channelName = "passerelle_console"

// maxEvent bounds an event's length: events are names and ids, far under
// PostgreSQL's 8000-byte payload limit.
const maxEvent = 200

// Reconnection backoff of the listening connection, and how often an idle
// listening connection is checked (a connection dropped
// without a TCP reset would otherwise wait forever).
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 30 * time.Second
	checkEvery = time.Minute
)

// Notifier is bot.Events on PostgreSQL LISTEN/NOTIFY: the console's live
// updates reach every replica on the database. Make one with
// Store.Events.
//
// Publish runs pg_notify on the store's pool; the payload is the
// publishing replica's random id and the event name ("queue",
// "conversation:42"), never personal data. Listen holds one dedicated
// connection (outside the pool, so that closing the store never waits for
// it) running LISTEN, and skips this replica's own notifications: the
// console delivers its own events locally, at once, so each reaches a page
// exactly once, even while the listening connection is down.
//
// The channel is passerelle_console, qualified by the schema when the
// store does not use "public" (passerelle_console.<schema>), so that
// deployments or tests sharing one database in separate schemas never
// hear each other.
type Notifier struct {
	pool    *pgxpool.Pool
	conn    *pgx.ConnConfig
	channel string
	origin  string
	log     *slog.Logger
	check   time.Duration // checkEvery; tests shorten it
}

var _ bot.Events = (*Notifier)(nil)

// Events returns a Notifier on the store's database and schema. log may
// be nil.
func (s *Store) Events(ctx context.Context, log *slog.Logger) (*Notifier, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var schema string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, fmt.Errorf("console events: current schema: %w", err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	return &Notifier{pool: s.pool, conn: s.pool.Config().ConnConfig, channel: channelFor(schema),
		origin: hex.EncodeToString(b), log: log, check: checkEvery}, nil
}

// channelFor names the channel of schema, within PostgreSQL's 63-byte
// limit on names.
func channelFor(schema string) string {
	name := channelName
	if schema != "public" {
		name += "." + schema
	}
	for len(name) > 63 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// Publish sends events to the other replicas' consoles in one statement:
// one transaction, so one commit (where PostgreSQL serialises notifying
// transactions) for however many events were waiting.
func (n *Notifier) Publish(ctx context.Context, events ...string) error {
	payloads := make([]string, 0, len(events))
	for _, event := range events {
		if event == "" || len(event) > maxEvent || strings.ContainsAny(event, " \r\n") {
			return fmt.Errorf("console events: publish %q: not an event name", event)
		}
		payloads = append(payloads, n.origin+" "+event)
	}
	if len(payloads) == 0 {
		return nil
	}
	_, err := n.pool.Exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS x(p, i) ORDER BY i`,
		n.channel, payloads)
	if err != nil {
		return fmt.Errorf("console events: publish %d events: %w", len(payloads), err)
	}
	return nil
}

// Listen calls deliver with the events the other replicas publish, until
// ctx ends. When the connection drops (database restart, backend
// terminated, network), it reconnects with a growing backoff (up to
// maxBackoff) and then delivers bot.EventResync, because notifications
// sent meanwhile are lost. It returns nil when ctx ends.
func (n *Notifier) Listen(ctx context.Context, deliver func(event string)) error {
	wait, failed := minBackoff, false
	for {
		err := n.listen(ctx, deliver, func() {
			if failed {
				n.log.Info("console events: listening again")
				deliver(bot.EventResync)
			}
			wait, failed = minBackoff, false
		})
		if ctx.Err() != nil {
			return nil
		}
		failed = true
		n.log.Warn("console events: listening connection lost, reconnecting", "retry_in", wait.String(), "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

// listen runs one listening connection until it fails or ctx ends;
// listening is called once LISTEN is in effect.
func (n *Notifier) listen(ctx context.Context, deliver func(string), listening func()) error {
	conn, err := pgx.ConnectConfig(ctx, n.conn.Copy())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	listen := "LISTEN " + pgx.Identifier{n.channel}.Sanitize()
	if _, err := conn.Exec(ctx, listen); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	listening()
	for {
		wctx, cancel := context.WithTimeout(ctx, n.check)
		note, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			// Quiet for a while: make sure the connection still works.
			// LISTEN again is a no-op that does, and leaves the backend's
			// last query in pg_stat_activity saying what it is for.
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err = conn.Exec(pctx, listen)
			cancel()
			if err != nil {
				return fmt.Errorf("check: %w", err)
			}
			continue
		case err != nil:
			return fmt.Errorf("wait for notification: %w", err)
		}
		origin, event, ok := strings.Cut(note.Payload, " ")
		if !ok || origin == n.origin || note.Channel != n.channel {
			continue
		}
		deliver(event)
	}
}
