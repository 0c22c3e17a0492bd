package postgres

import (
	"testing"
	"time"
	"github.com/jackc/pgx/v5"
)

func TestExplainClaim(t *testing.T) {
	s := openAt(t, freshSchema(t), testKeys(t, "k"))
	ctx := t.Context()
	_, err := s.pool.Exec(ctx, `
INSERT INTO contacts (channel, lookup_key, address_sealed, created_at, last_seen)
  SELECT 'telegram', 'k'||g, '\x00', 0, 0 FROM generate_series(1, 5000) g;
INSERT INTO conversations (contact_id, surface, created_at, updated_at) SELECT id, 'telegram', 0, 0 FROM contacts;
INSERT INTO outbox (contact_id, conversation_id, channel, surface, text, not_before, status, created_at, sent_at)
  SELECT c.id, cv.id, 'telegram', 'telegram', 'x', 0, CASE WHEN g <= 20 THEN 'sent' ELSE 'queued' END, 0, 0
  FROM contacts c JOIN conversations cv ON cv.contact_id = c.id, generate_series(1, 24) g;
UPDATE outbox SET leased_until = 9999999999999 WHERE status = 'queued' AND contact_id % 2 = 0 AND id IN (SELECT MIN(id) FROM outbox WHERE status='queued' GROUP BY contact_id);
ANALYZE;`)
	if err != nil { t.Fatal(err) }
	for _, q := range []string{claimQuery} {
		rows, err := s.pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q, time.Now().UnixMilli(), 10)
		if err != nil { t.Fatal(err) }
		lines, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, l := range lines { t.Log(l) }
	}
}
