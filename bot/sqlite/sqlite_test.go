package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/migrations"
	"github.com/passerelle-org/passerelle/bot/storetest"
)

// testKeys derives a keyring from a 32-byte secret made of seed.
func testKeys(t testing.TB, seed string) *bot.Keyring {
	t.Helper()
	k, err := bot.NewKeyring([]byte(strings.Repeat(seed, 32)[:32]))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openAt opens a store at path, closed when the test ends.
func openAt(t testing.TB, path string, keys *bot.Keyring) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store {
		return openAt(t, filepath.Join(t.TempDir(), "passerelle.db"), testKeys(t, "k"))
	})
}

// fileBytes reads the database, its WAL and shared memory files.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// record records one inbound message.
func record(t *testing.T, s *Store, in bot.Inbound) (bot.Contact, bot.Conversation) {
	t.Helper()
	var (
		c    bot.Contact
		conv bot.Conversation
	)
	err := s.InTx(t.Context(), func(tx bot.Tx) error {
		var err error
		if c, conv, err = tx.RecordInbound(t.Context(), in); err != nil {
			return err
		}
		_, err = tx.Enqueue(t.Context(), bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: "reply"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, conv
}

func TestNoAddressInFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := openAt(t, path, testKeys(t, "k"))
	secrets := []string{storetest.PhoneA, strings.TrimPrefix(storetest.PhoneA, "+"), storetest.ChatIDA, "whatsapp:" + storetest.PhoneB}
	record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "I want to go back"})
	record(t, s, bot.Inbound{Channel: bot.ChannelTelegram, Address: storetest.ChatIDA, ProviderID: "1", Text: "I want to go back"})
	record(t, s, bot.Inbound{Channel: bot.ChannelWhatsApp, Address: "whatsapp:" + storetest.PhoneB, ProviderID: "SM2", Text: "I want to go back",
		Profile: "Zaynab Haddad"})
	secrets = append(secrets, "Zaynab Haddad")
	var profiles int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM contacts WHERE profile_sealed IS NOT NULL`).Scan(&profiles); err != nil || profiles != 1 {
		t.Fatalf("sealed profiles = %d, %v; want 1", profiles, err)
	}
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
	check := func(when string) {
		raw := fileBytes(t, path)
		if !bytes.Contains(raw, []byte("I want to go back")) {
			t.Fatalf("%s: message text not found in the files: the check reads the wrong bytes", when)
		}
		for _, secret := range secrets {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s: %q found in the database files", when, secret)
			}
		}
	}
	check("open")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
}

func TestDeletedTextLeavesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := openAt(t, path, testKeys(t, "k"))
	const secret = "my boss keeps my passport"
	c, _ := record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: secret})
	record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneB, ProviderID: "SM2", Text: "another person"})
	if err := s.InTx(t.Context(), func(tx bot.Tx) error { return tx.DeleteContactData(t.Context(), c.ID) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw := fileBytes(t, path)
	if !bytes.Contains(raw, []byte("another person")) {
		t.Fatal("kept text not found: the check reads the wrong bytes")
	}
	if bytes.Contains(raw, []byte(secret)) {
		t.Error("deleted message text still in the database file (secure_delete)")
	}
}

func TestReopenKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(t.Context(), path, testKeys(t, "k"), nil)
	if err != nil {
		t.Fatal(err)
	}
	record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "hi"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	again := openAt(t, path, testKeys(t, "k"))
	got, err := again.ClaimOutbox(t.Context(), time.Now(), 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].Address != storetest.PhoneA {
		t.Fatalf("after reopening with the same key: %+v, %v", got, err)
	}
	var versions int
	list, _ := migrations.List(migrations.SQLite)
	if err := again.r.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&versions); err != nil || versions != len(list) {
		t.Errorf("schema_migrations rows = %d, %v; want %d (migrations applied once)", versions, err, len(list))
	}
	again.Close()

	_, err = Open(t.Context(), path, testKeys(t, "x"), nil)
	if !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("Open with another key: %v, want ErrKeyMismatch", err)
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := openAt(t, path, testKeys(t, "k"))
	if _, err := s.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(t.Context(), path, testKeys(t, "k"), nil); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

func TestPragmas(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "p.db"), testKeys(t, "k"))
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "secure_delete": "1",
		"busy_timeout": "10000"}
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		for pragma, v := range want {
			var got string
			if err := db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s %s: %v", name, pragma, err)
			}
			if got != v {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, v)
			}
		}
	}
	if _, err := s.r.Exec(`DELETE FROM contacts`); err == nil {
		t.Error("reader connection accepted a write")
	}
}

func TestFailedStaysVisible(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "p.db"), testKeys(t, "k"))
	record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "hi"})
	got, err := s.ClaimOutbox(t.Context(), time.Now(), 10, time.Minute)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	if err := s.MarkFailed(t.Context(), got[0].ID, "21211 invalid 'To' number", time.Now()); err != nil {
		t.Fatal(err)
	}
	var status, lastErr string
	if err := s.r.QueryRow(`SELECT status, last_error FROM outbox WHERE id = ?`, got[0].ID).Scan(&status, &lastErr); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || lastErr != "21211 invalid 'To' number" {
		t.Errorf("failed row: %s %q", status, lastErr)
	}
}

func TestUndecryptableAddressFails(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "p.db"), testKeys(t, "k"))
	c, _ := record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "hi"})
	if _, err := s.w.Exec(`UPDATE contacts SET address_sealed = x'00112233445566778899aabbccddeeff' WHERE id = ?`, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimOutbox(t.Context(), time.Now(), 10, time.Minute)
	if err != nil || len(got) != 0 {
		t.Fatalf("claim with a corrupt address: %+v, %v; want nothing, no error", got, err)
	}
	var status string
	if err := s.r.QueryRow(`SELECT status FROM outbox WHERE contact_id = ?`, c.ID).Scan(&status); err != nil || status != "failed" {
		t.Errorf("status = %q, %v; want failed", status, err)
	}
}

func TestOpenRejects(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db"} {
		if _, err := Open(t.Context(), path, testKeys(t, "k"), nil); err == nil {
			t.Errorf("Open(%q): want an error", path)
		}
	}
	if _, err := Open(t.Context(), filepath.Join(t.TempDir(), "p.db"), nil, nil); err == nil {
		t.Error("Open with no keyring: want an error")
	}
}

func TestPathWithSpecialCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "données ?#%")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.db")
	s := openAt(t, path, testKeys(t, "k"))
	record(t, s, bot.Inbound{Channel: bot.ChannelSMS, Address: storetest.PhoneA, ProviderID: "SM1", Text: "hi"})
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the path given: %v", err)
	}
}
