package postgres

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/migrations"
	"github.com/passerelle-org/passerelle/bot/storetest"
)

func TestStore(t *testing.T) {
	testDatabase(t)
	storetest.Run(t, func(t *testing.T) bot.Store {
		return openAt(t, freshSchema(t), testKeys(t, "k"))
	})
}

// TestNoAddressInTables reads every row of every table as PostgreSQL
// renders it, and every bytea column raw: no phone number, chat id or
// profile name may appear, though message text does.
func TestNoAddressInTables(t *testing.T) {
	s := openAt(t, freshSchema(t), testKeys(t, "k"))
	secrets := []string{storetest.PhoneA, strings.TrimPrefix(storetest.PhoneA, "+"), storetest.ChatIDA,
		"whatsapp:" + storetest.PhoneB, "Zaynab Haddad"}
	record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "I want to go back"})
	record(t, s, bot.Inbound{Channel: bot.ChannelTelegram, Address: storetest.ChatIDA, ProviderID: "1", Text: "I want to go back"})
	record(t, s, bot.Inbound{Channel: bot.ChannelWhatsApp, Address: "whatsapp:" + storetest.PhoneB, ProviderID: "SM2",
		Text: "I want to go back", Profile: "Zaynab Haddad"})
	claimed, err := s.ClaimOutbox(t.Context(), time.Now(), 10, time.Minute)
	if err != nil || len(claimed) != 3 {
		t.Fatal(claimed, err)
	}
	// Provider errors may quote the number; the stored reason must not.
	for _, o := range claimed {
		if err := s.MarkFailed(t.Context(), o.ID, "The 'To' number "+o.Address+" is not valid", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var profiles int
	if err := s.pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM contacts WHERE profile_sealed IS NOT NULL`).Scan(&profiles); err != nil || profiles != 1 {
		t.Fatalf("sealed profiles = %d, %v; want 1", profiles, err)
	}
	rows, err := s.pool.Query(t.Context(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 7 {
		t.Fatalf("tables %q, %v", tables, err)
	}
	var all bytes.Buffer
	for _, table := range tables {
		rows, err := s.pool.Query(t.Context(), `SELECT r::text FROM `+pgx.Identifier{table}.Sanitize()+` r`)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		all.WriteString(strings.Join(texts, "\n"))
	}
	for _, col := range []string{"address_sealed", "profile_sealed"} {
		rows, err := s.pool.Query(t.Context(), `SELECT `+col+` FROM contacts WHERE `+col+` IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			t.Fatal(err)
		}
		all.Write(bytes.Join(raw, nil))
	}
	if !bytes.Contains(all.Bytes(), []byte("I want to go back")) {
		t.Fatal("message text not found in the rows: the check reads the wrong bytes")
	}
	for _, secret := range secrets {
		if bytes.Contains(all.Bytes(), []byte(secret)) {
			t.Errorf("%q found in the tables", secret)
		}
	}
}

func TestReopenKeys(t *testing.T) {
	url := freshSchema(t)
	s, err := Open(t.Context(), url, testKeys(t, "k"), nil)
	if err != nil {
		t.Fatal(err)
	}
	record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "hi"})
	s.Close()

	again := openAt(t, url, testKeys(t, "k"))
	got, err := again.ClaimOutbox(t.Context(), time.Now(), 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].Address != storetest.PhoneA {
		t.Fatalf("after reopening with the same key: %+v, %v", got, err)
	}
	var versions int
	list, _ := migrations.List(migrations.Postgres)
	if err := again.pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&versions); err != nil || versions != len(list) {
		t.Errorf("schema_migrations rows = %d, %v; want %d (migrations applied once)", versions, err, len(list))
	}
	if _, err := Open(t.Context(), url, testKeys(t, "x"), nil); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("Open with another key: %v, want ErrKeyMismatch", err)
	}
}

func TestSchemaTooNew(t *testing.T) {
	url := freshSchema(t)
	s := openAt(t, url, testKeys(t, "k"))
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), url, testKeys(t, "k"), nil); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

// TestReplicasStartTogether: replicas opening an empty database at once
// migrate it once (the advisory lock) and agree on the key canary.
func TestReplicasStartTogether(t *testing.T) {
	url := freshSchema(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := Open(t.Context(), url, testKeys(t, "k"), nil)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	s := openAt(t, url, testKeys(t, "k"))
	var versions, canaries int
	s.pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&versions)
	s.pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM store_meta`).Scan(&canaries)
	list, _ := migrations.List(migrations.Postgres)
	if versions != len(list) || canaries != 1 {
		t.Errorf("schema_migrations %d rows (want %d), store_meta %d (want 1)", versions, len(list), canaries)
	}
}

func TestOpenRejects(t *testing.T) {
	for _, url := range []string{"", "mysql://localhost/x", "/var/lib/passerelle.db", "postgres://host:notaport/db"} {
		if _, err := Open(t.Context(), url, testKeys(t, "k"), nil); err == nil {
			t.Errorf("Open(%q): want an error", url)
		}
	}
	if err := CheckURL("postgres://user:s3cret@db.example.org:5432/passerelle?sslmode=require"); err != nil {
		t.Errorf("CheckURL of a good URL: %v", err)
	}
	if err := CheckURL("postgres://user:s3cret@host:notaport/db"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("CheckURL of a bad URL: %v; want an error without the password", err)
	}
	if _, err := Open(t.Context(), "postgres://127.0.0.1/x", nil, nil); err == nil {
		t.Error("Open with no keyring: want an error")
	}
}

func TestUndecryptableAddressFails(t *testing.T) {
	s := openAt(t, freshSchema(t), testKeys(t, "k"))
	c, _ := record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "hi"})
	if _, err := s.pool.Exec(t.Context(), `UPDATE contacts SET address_sealed = '\x00112233445566778899aabbccddeeff' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimOutbox(t.Context(), time.Now(), 10, time.Minute)
	if err != nil || len(got) != 0 {
		t.Fatalf("claim with a corrupt address: %+v, %v; want nothing, no error", got, err)
	}
	var status string
	if err := s.pool.QueryRow(t.Context(), `SELECT status FROM outbox WHERE contact_id = $1`, c.ID).Scan(&status); err != nil || status != "failed" {
		t.Errorf("status = %q, %v; want failed", status, err)
	}
}

// TestTextPostgresRefuses: NUL and invalid UTF-8, which PostgreSQL refuses
// in text and JSONB, are stored as U+FFFD rather than losing the message.
func TestTextPostgresRefuses(t *testing.T) {
	s := openAt(t, freshSchema(t), testKeys(t, "k"))
	odd := "a\x00b\xffc"
	var conv bot.Conversation
	err := s.InTx(t.Context(), func(tx bot.Tx) error {
		c, cv, err := tx.RecordInbound(t.Context(), bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA,
			ProviderID: "SM\x001", Text: odd, Campaign: "x\xff"})
		if err != nil {
			return err
		}
		conv = cv
		cv.State = bot.State{Vars: map[string]string{"k": odd, "esc": `\u0000`}, Pending: odd}
		if err := tx.SaveConversation(t.Context(), cv); err != nil {
			return err
		}
		_, err = tx.Enqueue(t.Context(), bot.Outbound{ContactID: c.ID, ConversationID: cv.ID, Text: odd,
			Options: []bot.Option{{Label: odd, Payload: "p\x00"}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Transcript(t.Context(), conv.ID)
	if err != nil || len(msgs) != 1 || msgs[0].Text != "a\uFFFDb\uFFFDc" {
		t.Fatalf("transcript %+v, %v", msgs, err)
	}
	err = s.InTx(t.Context(), func(tx bot.Tx) error {
		_, cv, err := tx.EnsureContact(t.Context(), bot.ChannelSMS, storetest.PhoneA)
		if err == nil && (cv.State.Vars["k"] != "a\uFFFDb\uFFFDc" || cv.State.Vars["esc"] != `\u0000`) {
			t.Errorf("state vars %q", cv.State.Vars)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimOutbox(t.Context(), time.Now(), 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].Options[0].Payload != "p\uFFFD" {
		t.Fatalf("claimed %+v, %v", got, err)
	}
}

func TestJSONText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":    `"plain"`,
		"a\x00b":   `"a\ufffdb"`,
		`\u0000`:   `"\\u0000"`,
		"\\\x00":   `"\\\ufffd"`,
		"\xff\x00": `"\ufffd\ufffd"`,
	} {
		got, err := jsonText(in)
		if err != nil || got != want {
			t.Errorf("jsonText(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
}
