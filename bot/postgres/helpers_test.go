package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// testURLVar names the database the tests may use. .ci/run sets it.
const testURLVar = "PASSERELLE_TEST_DATABASE_URL"

// testDatabase returns the test database URL, or skips the test.
func testDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(testURLVar)
	if base == "" {
		t.Skip(testURLVar + " is not set: PostgreSQL store tests skipped " +
			"(e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable; .ci/run sets it)")
	}
	return base
}

// freshSchema creates an empty schema in the test database and returns a
// URL whose search_path is that schema, so tests never see each other's
// rows. The schema is dropped when the test ends. Without the variable,
// the test is skipped.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := testDatabase(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", testURLVar, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "ptest_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(context.Background(), base)
	if err != nil {
		t.Fatalf("%s: %v", testURLVar, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// testKeys derives a keyring from a 32-byte secret made of seed.
func testKeys(t testing.TB, seed string) *bot.Keyring {
	t.Helper()
	k, err := bot.NewKeyring([]byte(strings.Repeat(seed, 32)[:32]))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openAt opens a store on url, closed when the test ends (before the
// schema is dropped: cleanups run last registered first).
func openAt(t testing.TB, url string, keys *bot.Keyring) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// record records one inbound message and enqueues a reply to it.
func record(t testing.TB, s *Store, in bot.Inbound) (bot.Contact, bot.Conversation) {
	t.Helper()
	var (
		c    bot.Contact
		conv bot.Conversation
	)
	err := s.InTx(context.Background(), func(tx bot.Tx) error {
		var err error
		if c, conv, err = tx.RecordInbound(context.Background(), in); err != nil {
			return err
		}
		_, err = tx.Enqueue(context.Background(), bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: "reply"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, conv
}
