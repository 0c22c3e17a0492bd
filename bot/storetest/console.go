package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// testConsole covers bot.ConsoleStore and bot.HandoffTx, for stores that
// implement them (SQLite; PostgreSQL not yet, then it is skipped).
func testConsole(t *testing.T, f *fixture) {
	cs, ok := f.s.(bot.ConsoleStore)
	if !ok {
		t.Skip("store does not implement bot.ConsoleStore")
	}
	ctx := f.ctx

	// Accounts: email case-insensitive and unique.
	a, err := cs.CreateCaseworker(ctx, bot.Caseworker{Email: "Amanuel@Example.org", Name: "Amanuel",
		Languages: []string{"ti", "am"}, Role: bot.RoleCaseworker, PasswordHash: []byte("$2a$hash")})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Email != "amanuel@example.org" || len(a.Languages) != 2 || a.CreatedAt.IsZero() {
		t.Errorf("created %+v", a)
	}
	if _, err := cs.CreateCaseworker(ctx, bot.Caseworker{Email: "AMANUEL@example.org", Name: "x",
		Role: bot.RoleAdmin, PasswordHash: []byte("h")}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("duplicate email: %v, want ErrConflict", err)
	}
	b, err := cs.CreateCaseworker(ctx, bot.Caseworker{Email: "b@example.org", Name: "Bea", Role: bot.RoleAdmin,
		PasswordHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cs.CaseworkerByEmail(ctx, "amanuel@EXAMPLE.org")
	if err != nil || got.ID != a.ID || string(got.PasswordHash) != "$2a$hash" || got.Languages[0] != "ti" {
		t.Errorf("CaseworkerByEmail = %+v, %v", got, err)
	}
	_, err = cs.CaseworkerByEmail(ctx, "nobody@example.org")
	wantNotFound(t, "CaseworkerByEmail(unknown)", err)
	if all, err := cs.Caseworkers(ctx); err != nil || len(all) != 2 {
		t.Errorf("Caseworkers = %d, %v", len(all), err)
	}

	// Sessions: found until they expire or are deleted.
	now := f.base
	if err := cs.CreateSession(ctx, bot.Session{TokenHash: "t1", CaseworkerID: a.ID, CreatedAt: now,
		ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if c, err := cs.SessionCaseworker(ctx, "t1", now); err != nil || c.ID != a.ID {
		t.Errorf("SessionCaseworker = %+v, %v", c, err)
	}
	_, err = cs.SessionCaseworker(ctx, "t1", now.Add(2*time.Hour))
	wantNotFound(t, "expired session", err)
	_, err = cs.SessionCaseworker(ctx, "t2", now)
	wantNotFound(t, "unknown session", err)
	// A disabled account has no session, and logs in no more.
	if err := cs.SetCaseworkerDisabled(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = cs.SessionCaseworker(ctx, "t1", now)
	wantNotFound(t, "session of a disabled account", err)
	if c, _ := cs.CaseworkerByEmail(ctx, a.Email); !c.Disabled {
		t.Error("account not disabled")
	}
	if err := cs.SetCaseworkerDisabled(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, "SetCaseworkerDisabled(unknown)", cs.SetCaseworkerDisabled(ctx, 9999, true))
	if err := cs.CreateSession(ctx, bot.Session{TokenHash: "t1", CaseworkerID: a.ID, CreatedAt: now,
		ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := cs.DeleteSession(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	_, err = cs.SessionCaseworker(ctx, "t1", now)
	wantNotFound(t, "deleted session", err)

	// The queue carries the conversation's language and channel.
	_, conv := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, scripts["ti"]))
	conv.Lang = "ti"
	f.tx(func(tx bot.Tx) error { return tx.SaveConversation(ctx, conv) })
	var h bot.Handoff
	f.tx(func(tx bot.Tx) error {
		h, err = tx.CreateHandoff(ctx, bot.Handoff{ConversationID: conv.ID, Urgent: true, Reason: "triage"})
		return err
	})
	q, err := cs.Queue(ctx)
	if err != nil || len(q) != 1 || q[0].ID != h.ID || q[0].Lang != "ti" || q[0].Channel != bot.ChannelSMS || !q[0].Urgent {
		t.Fatalf("Queue = %+v, %v", q, err)
	}

	// Two claims at once: exactly one wins, the other gets ErrConflict.
	htx := func(fn func(bot.HandoffTx) error) error {
		return f.s.InTx(ctx, func(tx bot.Tx) error {
			x, ok := tx.(bot.HandoffTx)
			if !ok {
				t.Fatal("Tx does not implement bot.HandoffTx")
			}
			return fn(x)
		})
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, id := range []int64{a.ID, b.ID} {
		wg.Go(func() { errs[i] = htx(func(x bot.HandoffTx) error { return x.ClaimHandoff(ctx, h.ID, id) }) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Errorf("concurrent claims: %v / %v, want exactly one success", errs[0], errs[1])
	}
	for _, e := range errs {
		if e != nil && !errors.Is(e, bot.ErrConflict) {
			t.Errorf("losing claim: %v, want ErrConflict", e)
		}
	}
	item, err := cs.HandoffByID(ctx, h.ID)
	if err != nil || item.Status != bot.HandoffAssigned || item.CaseworkerName == "" {
		t.Errorf("after claim: %+v, %v", item, err)
	}
	if err := htx(func(x bot.HandoffTx) error { return x.ReleaseHandoff(ctx, h.ID) }); err != nil {
		t.Fatal(err)
	}
	if item, _ := cs.HandoffByID(ctx, h.ID); item.Status != bot.HandoffWaiting || item.CaseworkerID != 0 {
		t.Errorf("after release: %+v", item)
	}
	if err := htx(func(x bot.HandoffTx) error { return x.AssignHandoff(ctx, h.ID, b.ID) }); err != nil {
		t.Fatal(err)
	}
	if err := htx(func(x bot.HandoffTx) error { return x.CloseHandoff(ctx, h.ID, now) }); err != nil {
		t.Fatal(err)
	}
	if item, _ := cs.HandoffByID(ctx, h.ID); item.Status != bot.HandoffClosed || item.ClosedAt.IsZero() {
		t.Errorf("after close: %+v", item)
	}
	if q, _ := cs.Queue(ctx); len(q) != 0 {
		t.Errorf("queue after close: %+v", q)
	}
	err = htx(func(x bot.HandoffTx) error { return x.ClaimHandoff(ctx, h.ID, a.ID) })
	if !errors.Is(err, bot.ErrConflict) {
		t.Errorf("claim of a closed handoff: %v, want ErrConflict", err)
	}

	// Conversation, reveal (audited), notes.
	gotConv, contact, err := cs.ConversationByID(ctx, conv.ID)
	if err != nil || gotConv.Lang != "ti" || contact.Channel != bot.ChannelSMS || contact.Address != "" || contact.Key == "" {
		t.Errorf("ConversationByID = %+v %+v, %v", gotConv, contact, err)
	}
	_, _, err = cs.ConversationByID(ctx, conv.ID+1000)
	wantNotFound(t, "ConversationByID(unknown)", err)
	addr, err := cs.RevealAddress(ctx, conv.ID, a.ID, now)
	if err != nil || addr != PhoneA {
		t.Errorf("RevealAddress = %q, %v", addr, err)
	}
	if _, err := cs.AddNote(ctx, bot.Note{ConversationID: conv.ID, CaseworkerID: a.ID, Text: scripts["ar"]}); err != nil {
		t.Fatal(err)
	}
	notes, err := cs.Notes(ctx, conv.ID)
	if err != nil || len(notes) != 1 || notes[0].Text != scripts["ar"] || notes[0].Author != "Amanuel" {
		t.Errorf("Notes = %+v, %v", notes, err)
	}
	if err := cs.Audit(ctx, bot.AuditEntry{CaseworkerID: b.ID, Action: "close", ConversationID: conv.ID, At: now}); err != nil {
		t.Fatal(err)
	}
	log, err := cs.AuditLog(ctx, 10)
	if err != nil || len(log) != 2 || log[0].Action != "close" || log[1].Action != "reveal" ||
		log[1].Actor != "amanuel@example.org" || log[1].ConversationID != conv.ID {
		t.Errorf("AuditLog = %+v, %v", log, err)
	}

	// Deleting the person's data deletes the notes; the audit log stays.
	f.tx(func(tx bot.Tx) error { return tx.DeleteContactData(ctx, contact.ID) })
	if notes, err := cs.Notes(ctx, conv.ID); err != nil || len(notes) != 0 {
		t.Errorf("notes after deletion: %+v, %v", notes, err)
	}
	if log, _ := cs.AuditLog(ctx, 10); len(log) != 2 {
		t.Errorf("audit log after deletion: %d entries", len(log))
	}
}
