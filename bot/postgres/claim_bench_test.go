package postgres

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var explain = flag.Bool("explain", false, "BenchmarkClaimBacklog: log the claim query's plan (EXPLAIN ANALYZE)")

// backlog describes an outbox for BenchmarkClaimBacklog. Replies are
// enqueued in turns (every contact's first reply, then every second
// one...), after sent replies already in the table, all due now.
type backlog struct {
	name           string
	contacts, each int  // contacts, and queued replies each
	sent           int  // sent replies before them
	leasedEvery    int  // the head of every Nth contact is leased; 0: none
	retryEvery     int  // the head of every Nth contact waits for a retry; 0: none
	retryAllBut    bool // the head of every contact except those waits instead
	analyzed       bool // statistics see the backlog (else: taken before it)
}

// BenchmarkClaimBacklog measures one ClaimOutbox(limit 32) against
// outboxes of different shapes. The claimed rows are put back (timer
// stopped) after each call, so every call sees the same backlog.
//
//	small:   20 queued replies over 10 contacts
//	backlog: 40,000 queued replies over 10,000 contacts (4 each), after
//	         20,000 sent; 40 contacts have a leased message and 1,000 a
//	         head waiting for a retry. Statistics were taken before the
//	         backlog built up, as when it grows faster than autovacuum
//	         analyzes (the load test's situation)
//	backlog-new: the same without sent replies: statistics taken on an
//	         empty outbox (the plan the load test found)
//	backlog-analyzed: the same as backlog, with up-to-date statistics
//	outage:  the same backlog where 9,000 contacts' heads wait for a retry,
//	         so most queued rows are held back behind them
func BenchmarkClaimBacklog(b *testing.B) {
	big := backlog{contacts: 10000, each: 4, sent: 20000, leasedEvery: 250, retryEvery: 10}
	analyzed, outage, empty := big, big, big
	analyzed.analyzed = true
	empty.sent = 0
	outage.retryAllBut = true
	for _, c := range []backlog{
		{name: "small", contacts: 10, each: 2, analyzed: true},
		withName(big, "backlog"),
		withName(empty, "backlog-new"),
		withName(analyzed, "backlog-analyzed"),
		withName(outage, "outage"),
	} {
		b.Run(c.name, func(b *testing.B) {
			s := openAt(b, freshSchema(b), testKeys(b, "k"))
			now := time.Now().UTC().Truncate(time.Millisecond)
			fillBacklog(b, s, now, c)
			if *explain {
				b.Log("\n" + strings.Join(explainClaim(b, s, now), "\n"))
			}
			for b.Loop() {
				got, err := s.ClaimOutbox(b.Context(), now, 32, time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) == 0 {
					b.Fatal("nothing claimed")
				}
				b.StopTimer()
				ids := make([]int64, len(got))
				for i, o := range got {
					ids[i] = o.ID
				}
				if _, err := s.pool.Exec(b.Context(), `UPDATE outbox SET leased_until = NULL, attempts = 0
					WHERE id = ANY($1)`, ids); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// withName returns c named name.
func withName(c backlog, name string) backlog {
	c.name = name
	return c
}

// fillBacklog writes the contacts, their conversations and the outbox
// rows c describes, due at now; leases and retries last an hour.
func fillBacklog(b testing.TB, s *Store, now time.Time, c backlog) {
	b.Helper()
	sealed, err := s.keys.Seal([]byte("700000000"))
	if err != nil {
		b.Fatal(err)
	}
	at, hour := ms(now), ms(now.Add(time.Hour))
	type stmt struct {
		sql  string
		args []any
	}
	stmts := []stmt{
		{`INSERT INTO contacts (channel, lookup_key, address_sealed, created_at, last_seen)
			SELECT 'telegram', 'bench' || g, $1, $2, $2 FROM generate_series(1, $3) g ORDER BY g`,
			[]any{sealed, at, c.contacts}},
		{`INSERT INTO conversations (contact_id, surface, created_at, updated_at)
			SELECT id, 'chat', $1, $1 FROM contacts ORDER BY id`, []any{at}},
		{`INSERT INTO outbox (contact_id, conversation_id, channel, surface, text, not_before, created_at,
				status, sent_at, provider_id)
			SELECT cv.contact_id, cv.id, 'telegram', 'chat', 'sent', $1, $1, 'sent', $1, 'p' || g
			FROM generate_series(1, $2) g JOIN conversations cv ON cv.contact_id = 1 + g % $3 ORDER BY g`,
			[]any{at, c.sent, c.contacts}},
	}
	if !c.analyzed {
		// Keep the statistics stale while the benchmark runs.
		stmts = append(stmts, stmt{`VACUUM ANALYZE contacts, conversations, outbox`, nil},
			stmt{`ALTER TABLE outbox SET (autovacuum_enabled = false)`, nil})
	}
	stmts = append(stmts, stmt{`INSERT INTO outbox (contact_id, conversation_id, channel, surface, text, not_before, created_at)
		SELECT cv.contact_id, cv.id, 'telegram', 'chat', 'reply ' || r, $1, $1
		FROM conversations cv, generate_series(1, $2) r ORDER BY r, cv.contact_id`, []any{at, c.each}})
	if c.leasedEvery > 0 {
		stmts = append(stmts, stmt{`UPDATE outbox SET leased_until = $1, attempts = 1 WHERE id IN
			(SELECT MIN(id) FROM outbox WHERE status = 'queued' AND contact_id % $2 = 0 GROUP BY contact_id)`,
			[]any{hour, c.leasedEvery}})
	}
	if c.retryEvery > 0 {
		stmts = append(stmts, stmt{`UPDATE outbox SET not_before = $1, attempts = 1 WHERE id IN
			(SELECT MIN(id) FROM outbox WHERE status = 'queued' AND (contact_id % $2 = 0) <> $3 GROUP BY contact_id)
			AND leased_until IS NULL`, []any{hour, c.retryEvery, c.retryAllBut}})
	}
	if c.analyzed {
		stmts = append(stmts, stmt{`VACUUM ANALYZE contacts, conversations, outbox`, nil})
	}
	for _, st := range stmts {
		if _, err := s.pool.Exec(b.Context(), st.sql, st.args...); err != nil {
			b.Fatalf("%s: %v", st.sql, err)
		}
	}
}

// explainClaim returns how PostgreSQL runs claimQuery on s now (EXPLAIN
// ANALYZE, one line a row), in a transaction rolled back after.
func explainClaim(b testing.TB, s *Store, now time.Time) []string {
	b.Helper()
	tx, err := s.pool.Begin(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(b.Context())
	if _, err := tx.Exec(b.Context(), claimSetup); err != nil {
		b.Fatal(err)
	}
	rows, err := tx.Query(b.Context(), `EXPLAIN (ANALYZE, BUFFERS) `+claimQuery, ms(now), 32)
	if err != nil {
		b.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		b.Fatal(err)
	}
	return plan
}
