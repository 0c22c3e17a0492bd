package outboxtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/postgres"
	"github.com/passerelle-org/passerelle/bot/sqlite"
	"github.com/passerelle-org/passerelle/channels/telegram"
	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// testURLVar names the PostgreSQL database the tests may use.
const testURLVar = "PASSERELLE_TEST_DATABASE_URL"

// Test accounts of the doubles.
const (
	botToken   = "123456789:AAHfakeTokenForOutboxTests_0123456789"
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "0123456789abcdef0123456789abcdef"
	smsFrom    = "+33639980000"
)

// stores lists the stores to run on: SQLite always, PostgreSQL when the
// test database is set.
func stores(t testing.TB) map[string]func(testing.TB) bot.Store {
	out := map[string]func(testing.TB) bot.Store{"sqlite": openSQLite}
	if os.Getenv(testURLVar) != "" {
		out["postgres"] = openPostgres
	} else if _, ok := t.(*testing.T); ok {
		t.Logf("%s is not set: PostgreSQL skipped", testURLVar)
	}
	return out
}

func keys(t testing.TB) *bot.Keyring {
	k, err := bot.NewKeyring([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openSQLite(t testing.TB) bot.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "passerelle.db"), keys(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openPostgres opens a store in a fresh schema of the test database,
// dropped when the test ends.
func openPostgres(t testing.TB) bot.Store { return openPostgresAt(t, freshSchema(t)) }

// freshSchema creates an empty schema in the test database, dropped when
// the test ends, and returns a URL whose search_path is that schema.
func freshSchema(t testing.TB) string {
	base := os.Getenv(testURLVar)
	if base == "" {
		t.Skip(testURLVar + " is not set: PostgreSQL skipped")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", testURLVar, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "otest_" + hex.EncodeToString(b)
	exec := func(sql string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatalf("%s: %v", testURLVar, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE SCHEMA ` + schema)
	t.Cleanup(func() { exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	q := u.Query()
	q.Set("search_path", schema)
	if !q.Has("pool_max_conns") {
		q.Set("pool_max_conns", "20")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// openPostgresAt opens a store on url (a replica), closed when the test
// ends.
func openPostgresAt(t testing.TB, url string) bot.Store {
	s, err := postgres.Open(context.Background(), url, keys(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// doubles are the provider doubles and the real senders pointed at them.
type doubles struct {
	tg     *telegramtest.Server
	tw     *twiliotest.Server
	tgSend *telegram.Channel
	twSend *twilio.Channel
}

// newDoubles starts both doubles and makes the channels' senders, whose
// HTTP client gives up after timeout. The rates are high (the doubles have
// none); per-chat pacing is kept short so that it never decides a test.
func newDoubles(t testing.TB, timeout time.Duration) *doubles {
	d := &doubles{tg: telegramtest.NewServer(t, botToken), tw: twiliotest.NewServer(t, accountSID, authToken)}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 100 // as serve's providerClient: a connection per send under way
	client := &http.Client{Timeout: timeout, Transport: tr}
	var err error
	d.tgSend, err = telegram.New(telegram.Config{Token: botToken, APIURL: d.tg.URL, HTTP: client,
		PerChat: time.Millisecond, Overall: time.Second / 100000}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.twSend, err = twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, APIURL: d.tw.URL,
		PublicURL: "https://passerelle.example.org", SMSFrom: smsFrom, Rate: 100000, HTTPClient: client}, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// senders maps channels to the real senders.
func (d *doubles) senders() map[bot.Channel]bot.Sender {
	return map[bot.Channel]bot.Sender{bot.ChannelTelegram: d.tgSend, bot.ChannelSMS: d.twSend}
}

// person is one contact with the replies queued for them, in order.
type person struct {
	ch      bot.Channel
	address string
	convID  int64
	texts   []string
}

// to is the person's address as the double sees it.
func (p person) to() string { return p.address }

// seed records one inbound message from each of contacts people per
// channel (Telegram and SMS) and queues perPerson replies to each, in
// order. Texts are unique: "<channel> <i> reply <j> (<tag>)".
func seed(t testing.TB, s bot.Store, contacts, perPerson int, tag string) []person {
	ctx := context.Background()
	var out []person
	for i := range contacts {
		for _, ch := range []bot.Channel{bot.ChannelTelegram, bot.ChannelSMS} {
			p := person{ch: ch, address: fmt.Sprintf("7%08d", i+1)}
			if ch == bot.ChannelSMS {
				p.address = fmt.Sprintf("+336399%05d", i+1)
			}
			err := s.InTx(ctx, func(tx bot.Tx) error {
				c, conv, err := tx.RecordInbound(ctx, bot.Inbound{Channel: ch, Address: p.address,
					ProviderID: fmt.Sprintf("%s-%s-%d", tag, ch, i), Text: "bonjour"})
				if err != nil {
					return err
				}
				p.convID = conv.ID
				for j := range perPerson {
					text := fmt.Sprintf("%s %d reply %d (%s)", ch, i, j, tag)
					if _, err := tx.Enqueue(ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Lang: "fr", Text: text}); err != nil {
						return err
					}
					p.texts = append(p.texts, text)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
	}
	return out
}
