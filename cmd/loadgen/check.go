package main

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"github.com/passerelle-org/passerelle/bot"
)

// Verdict is the exactly-once check after a run. It reads the service's
// own tables (contacts, messages, outbox) and what the provider doubles
// received, and holds the service to this definition:
//
//  1. Recorded once: each message the load generator sent and saw
//     acknowledged is in the transcript exactly once, under its provider
//     id ("update_id:date" for Telegram, the MessageSid for Twilio);
//     nothing else of ours is, and none was left unacknowledged.
//  2. Answered: each recorded message is followed in its conversation by
//     at least one bot message before the person's next one; those are
//     its expected replies. The engine writes each bot message and its
//     outbox row in the inbound message's transaction, one for one, so
//     the conversation's bot messages and outbox rows must pair up in
//     order with equal texts.
//  3. Delivered: each expected reply's outbox row is 'sent' and reached
//     the double: on Telegram the person's chat received each part of the
//     text (the service splits at 4096 UTF-16 units); on Twilio the
//     message whose SID the row records exists, to that person.
//  4. Never doubled: the double received nothing more than that. On
//     Telegram, per chat, no text arrived more often than the outbox
//     holds it; on Twilio, per recipient, every message is the recorded
//     one or an earlier part of it, and no text repeats between two
//     recorded messages (a send repeated after a crash shows as the same
//     parts twice), and nothing follows the last recorded message.
type Verdict struct {
	People, Conversations int
	// Inbound: messages sent, acknowledged, recorded exactly once,
	// acknowledged but not recorded (Lost), recorded more than once,
	// never acknowledged, and transcript rows with a provider id we did
	// not send.
	Sent, Acked, RecordedOnce, Lost, RecordedTwice, Unacked, Unknown int
	// Replies: expected (bot messages after our inbound), inbound messages
	// with none, outbox rows not sent (queued or failed), transcript and
	// outbox not pairing up.
	Expected, Unanswered, Undelivered, Mismatched int
	// AtDoubles counts the messages the doubles accepted for our people;
	// Missing are expected replies the double never got; Doubled the
	// extra ones, of which DoubledInFlight repeat a reply whose outbox row
	// was claimed more than once: a send under way when its process died,
	// sent again once its lease expired (the provider APIs take no
	// idempotency key, so that window cannot be closed from here).
	AtDoubles, Missing, Doubled, DoubledInFlight int
	// Retried counts outbox rows claimed more than once (attempts > 1).
	Retried int
	// Problems describes the first failures, for the report.
	Problems []string
}

// ExactlyOnce tells whether every inbound message got its replies exactly
// once.
func (v *Verdict) ExactlyOnce() bool {
	return v.Sent > 0 && v.Acked == v.Sent && v.RecordedOnce == v.Sent && v.Lost == 0 && v.RecordedTwice == 0 &&
		v.Unknown == 0 && v.Unanswered == 0 && v.Undelivered == 0 && v.Mismatched == 0 && v.Missing == 0 && v.Doubled == 0
}

func (v *Verdict) problem(format string, args ...any) {
	if len(v.Problems) < 20 {
		v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
	}
}

// openDB opens the service's database for reading: PostgreSQL when url is
// set, else the SQLite file.
func openDB(url, sqlitePath string) (*sql.DB, error) {
	if url != "" {
		return sql.Open("pgx", url)
	}
	return sql.Open("sqlite", "file:"+sqlitePath+"?_pragma=busy_timeout(10000)")
}

// queuedReplies counts replies waiting to be sent (not held for a closed
// window).
func queuedReplies(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND held_at IS NULL`).Scan(&n)
	return n, err
}

type row struct {
	id, conv             int64
	dir, pid, text, stat string
	attempts             int
}

// check computes the verdict for people's messages msgs (with their
// deliveries) from db and the doubles.
func check(ctx context.Context, db *sql.DB, keys *bot.Keyring, people []*person, msgs []*inbound, dels []*delivery, d *doubles) (*Verdict, error) {
	v := &Verdict{People: len(people), Sent: len(msgs)}
	byAddr := map[string]*person{}
	for _, p := range people {
		byAddr[string(p.Channel)+"|"+p.Address] = p
	}
	// Contacts: decrypt each address to find our people.
	contactOf := map[int64]*person{}
	rows, err := db.QueryContext(ctx, `SELECT id, channel, address_sealed FROM contacts`)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	for rows.Next() {
		var id int64
		var ch string
		var sealed []byte
		if err := rows.Scan(&id, &ch, &sealed); err != nil {
			rows.Close()
			return nil, err
		}
		addr, err := keys.Open(sealed)
		if err != nil {
			continue // another run's contact, under another key
		}
		if p := byAddr[ch+"|"+string(addr)]; p != nil {
			contactOf[id] = p
		}
	}
	rows.Close()
	convOf := map[int64]*person{}
	rows, err = db.QueryContext(ctx, `SELECT id, contact_id FROM conversations`)
	if err != nil {
		return nil, fmt.Errorf("conversations: %w", err)
	}
	for rows.Next() {
		var id, contact int64
		if err := rows.Scan(&id, &contact); err != nil {
			rows.Close()
			return nil, err
		}
		if p := contactOf[contact]; p != nil {
			convOf[id] = p
		}
	}
	rows.Close()
	v.Conversations = len(convOf)

	transcript, err := readRows(ctx, db, convOf, `SELECT id, conversation_id, direction, COALESCE(provider_id, ''), text, '', 0
		FROM messages ORDER BY conversation_id, id`)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	outbox, err := readRows(ctx, db, convOf, `SELECT id, conversation_id, '', COALESCE(provider_id, ''), text, status, attempts
		FROM outbox ORDER BY conversation_id, id`)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}

	// 1. Recorded once.
	ours := map[string]int{}
	for i, m := range msgs {
		ours[m.ProviderID] = i
	}
	seen := map[string]int{}
	for conv, rs := range transcript {
		for _, r := range rs {
			if r.dir != string(bot.FromPerson) {
				continue
			}
			i, ok := ours[r.pid]
			if !ok || msgs[i].Person != convOf[conv] {
				v.Unknown++
				v.problem("transcript has an inbound message %q we did not send (conversation %d)", r.pid, conv)
				continue
			}
			seen[r.pid]++
		}
	}
	for i, m := range msgs {
		n := seen[m.ProviderID]
		if dels[i].Acked {
			v.Acked++
		} else {
			v.Unacked++
			v.problem("message %s (person %d) was never acknowledged after %d attempts", m.ProviderID, m.Person.ID, dels[i].Attempts)
		}
		switch {
		case n == 1:
			v.RecordedOnce++
		case n == 0 && dels[i].Acked:
			v.Lost++
			v.problem("message %s (person %d) was acknowledged but is not in the transcript", m.ProviderID, m.Person.ID)
		case n > 1:
			v.RecordedTwice++
			v.problem("message %s (person %d) is in the transcript %d times", m.ProviderID, m.Person.ID, n)
		}
	}

	// 2 and 3. Answered and delivered; what each person should have got.
	sent := newOutboxReplies()
	for conv, rs := range transcript {
		p := convOf[conv]
		obs := outbox[conv]
		k := 0
		replies := -1 // bot messages since the last inbound; -1 before the first
		end := func() {
			if replies == 0 {
				v.Unanswered++
				v.problem("person %d: an inbound message got no reply", p.ID)
			}
		}
		for _, r := range rs {
			if r.dir == string(bot.FromPerson) {
				end()
				replies = 0
				continue
			}
			if r.dir != string(bot.FromBot) {
				continue
			}
			replies++
			v.Expected++
			if k >= len(obs) || obs[k].text != r.text {
				v.Mismatched++
				v.problem("person %d: bot message %d has no matching outbox row", p.ID, r.id)
				continue
			}
			o := obs[k]
			k++
			if o.attempts > 1 {
				v.Retried++
			}
			sent.add(p, o)
			if o.stat != "sent" {
				v.Undelivered++
				v.problem("person %d: reply %d is %s after %d attempts", p.ID, o.id, o.stat, o.attempts)
			}
		}
		end()
		if k != len(obs) {
			v.Mismatched += len(obs) - k
			v.problem("person %d: %d outbox rows without a bot message", p.ID, len(obs)-k)
		}
	}
	// 3 and 4 at the doubles.
	v.compareTelegram(sent, people, d.Telegram.Calls())
	v.compareTwilio(sent, byAddr, d.Twilio.Messages())
	return v, nil
}

// readRows reads rows of our conversations, grouped by conversation in
// query order.
func readRows(ctx context.Context, db *sql.DB, convs map[int64]*person, query string) (map[int64][]row, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]row{}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.conv, &r.dir, &r.pid, &r.text, &r.stat, &r.attempts); err != nil {
			return nil, err
		}
		if convs[r.conv] != nil {
			out[r.conv] = append(out[r.conv], r)
		}
	}
	return out, rows.Err()
}
