package main

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// TestVerdictFindsFaults runs a short clean load on SQLite, then, before
// the check, sends one recorded Telegram reply to its chat a second time
// and makes one recorded inbound message disappear from the transcript
// (its provider id changed): the verdict must count the duplicate (not
// as a send interrupted by a crash), the lost message and the stranger,
// and refuse exactly-once.
func TestVerdictFindsFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	t.Parallel()
	dir, bin := buildPasserelle(t)
	o := Options{
		Binary: bin, Dir: dir, Rate: 20, Duration: 3 * time.Second, People: 100,
		Mix: mix{Telegram: 0.5, SMS: 0.25, WhatsApp: 0.25}, Quiet: 2 * time.Minute, Progress: testWriter{t},
		beforeCheck: func(ctx context.Context, db *sql.DB, d *doubles) error {
			var chat, text string
			for _, c := range d.Telegram.CallsOf("sendMessage") {
				chat, text = c.Params["chat_id"], c.Params["text"]
			}
			if chat == "" {
				t.Fatal("no Telegram reply was sent")
			}
			resp, err := http.PostForm(d.Telegram.URL+"/bot"+d.Telegram.Token+"/sendMessage",
				url.Values{"chat_id": {chat}, "text": {text}})
			if err != nil {
				return err
			}
			resp.Body.Close()
			_, err = db.ExecContext(ctx, `UPDATE messages SET provider_id = provider_id || '-x'
				WHERE id = (SELECT MIN(id) FROM messages WHERE direction = ? AND provider_id IS NOT NULL)`, string(bot.FromPerson))
			return err
		},
	}
	rep, err := Run(context.Background(), t, o)
	if err != nil {
		t.Fatal(err)
	}
	v := rep.Verdict
	if v.Doubled != 1 || v.DoubledInFlight != 0 {
		t.Errorf("doubled %d (%d in flight at a crash), want 1 (0)", v.Doubled, v.DoubledInFlight)
	}
	if v.Lost != 1 || v.Unknown != 1 {
		t.Errorf("lost %d, unknown %d; want 1 and 1", v.Lost, v.Unknown)
	}
	if v.ExactlyOnce() {
		t.Error("the verdict says exactly once")
	}
	if v.Sent != 60 || v.Acked != 60 || v.Missing+v.Undelivered+v.Unanswered != 0 {
		t.Errorf("sent %d, acknowledged %d, missing %d, undelivered %d, unanswered %d; want 60, 60 and no other fault",
			v.Sent, v.Acked, v.Missing, v.Undelivered, v.Unanswered)
	}
}
