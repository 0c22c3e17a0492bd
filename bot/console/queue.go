package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

type queueData struct {
	page
	Mine, Others []bot.QueueItem
	Total        int
	Page, Pages  int // 1-based page and page count
	Prev, Next   int // 0 when there is none
}

// PageSize is how many handoffs the queue shows on one page.
const PageSize = 100

// queuePage lists open handoffs: those in the caseworker's languages
// first, then the rest; each part urgent first, then oldest. Pages of
// PageSize keep it fast and readable on a phone; every handoff is
// reachable through the pages.
func (c *Console) queuePage(w http.ResponseWriter, r *http.Request) {
	me := caseworker(r)
	items, err := c.store.Queue(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ordered := make([]bot.QueueItem, 0, len(items))
	for _, it := range items {
		if slices.Contains(me.Languages, it.Lang) {
			ordered = append(ordered, it)
		}
	}
	mine := len(ordered)
	for _, it := range items {
		if !slices.Contains(me.Languages, it.Lang) {
			ordered = append(ordered, it)
		}
	}
	d := queueData{page: c.page(r, "console.queue.title"), Total: len(items), Pages: max(1, (len(items)+PageSize-1)/PageSize), Page: 1}
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p >= 1 && p <= d.Pages {
		d.Page = p
	}
	lo, hi := (d.Page-1)*PageSize, min(d.Page*PageSize, len(ordered))
	if lo < mine {
		d.Mine = ordered[lo:min(hi, mine)]
	}
	if hi > mine {
		d.Others = ordered[max(lo, mine):hi]
	}
	if d.Page > 1 {
		d.Prev = d.Page - 1
	}
	if d.Page < d.Pages {
		d.Next = d.Page + 1
	}
	c.render(w, http.StatusOK, "queue.html", d)
}

// stream sends live-update events ("queue", "conversation" with its id)
// while the page is open.
func (c *Console) stream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	ch := c.events.subscribe()
	defer c.events.unsubscribe(ch)
	fmt.Fprint(w, "retry: 3000\n\n")
	fl.Flush()
	tick := time.NewTicker(25 * time.Second)
	defer tick.Stop()
	for {
		select {
		case ev := <-ch:
			name, id, _ := strings.Cut(ev, ":")
			if id == "" {
				id = "0"
			}
			fmt.Fprintf(w, "event: %s\ndata: {\"id\":%s}\n\n", name, id)
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case <-r.Context().Done():
			return
		case <-c.events.done:
			return
		}
		fl.Flush()
	}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("handoff id %q: %w", r.PathValue("id"), bot.ErrNotFound)
	}
	return id, nil
}

// handoffTx runs fn on the store's HandoffTx.
func (c *Console) handoffTx(r *http.Request, fn func(bot.HandoffTx) error) error {
	return c.store.InTx(r.Context(), func(tx bot.Tx) error {
		htx, ok := tx.(bot.HandoffTx)
		if !ok {
			return fmt.Errorf("console: store transaction cannot move handoffs")
		}
		return fn(htx)
	})
}

// claim takes a waiting handoff; of two caseworkers claiming at once,
// exactly one gets it and the other sees a conflict.
func (c *Console) claim(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	me := caseworker(r)
	err = c.handoffTx(r, func(tx bot.HandoffTx) error { return tx.ClaimHandoff(r.Context(), id, me.ID) })
	if err != nil {
		c.fail(w, r, err)
		return
	}
	h, err := c.store.HandoffByID(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, me.ID, "claim", h.ConversationID, fmt.Sprintf("handoff %d", id))
	c.Notify()
	http.Redirect(w, r, fmt.Sprintf("/console/handoffs/%d", id), http.StatusSeeOther)
}

// heldHandoff reads the handoff id from the path and checks that the
// caseworker holds that handoff (see held).
func (c *Console) heldHandoff(r *http.Request) (int64, bot.QueueItem, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, bot.QueueItem{}, err
	}
	h, err := c.held(r, id)
	return id, h, err
}

// held returns handoff id when the caseworker may act on it: assigned to
// them, or they are an admin.
func (c *Console) held(r *http.Request, id int64) (bot.QueueItem, error) {
	h, err := c.store.HandoffByID(r.Context(), id)
	if err != nil {
		return h, err
	}
	me := caseworker(r)
	if h.Status == bot.HandoffClosed {
		return h, fmt.Errorf("handoff %d is closed: %w", id, bot.ErrConflict)
	}
	if h.Status != bot.HandoffAssigned || (h.CaseworkerID != me.ID && me.Role != bot.RoleAdmin) {
		return h, fmt.Errorf("handoff %d is not yours: %w", id, errForbidden)
	}
	return h, nil
}

func (c *Console) release(w http.ResponseWriter, r *http.Request) {
	id, h, err := c.heldHandoff(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.handoffTx(r, func(tx bot.HandoffTx) error { return tx.ReleaseHandoff(r.Context(), id) }); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, caseworker(r).ID, "release", h.ConversationID, fmt.Sprintf("handoff %d", id))
	c.Notify()
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

// close ends the handoff and hands the conversation back to the bot, which
// tells the person so in their language (handoff.closed), in the same
// transaction.
func (c *Console) close(w http.ResponseWriter, r *http.Request) {
	id, h, err := c.heldHandoff(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	conv, contact, err := c.store.ConversationByID(r.Context(), h.ConversationID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	text := c.locales.Printer(conv.Lang).T("handoff.closed", nil)
	err = c.handoffTx(r, func(tx bot.HandoffTx) error {
		if err := tx.CloseHandoff(r.Context(), id, c.clock()); err != nil {
			return err
		}
		return c.send(r, tx, conv, contact, bot.FromBot, text, "")
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, caseworker(r).ID, "close", h.ConversationID, fmt.Sprintf("handoff %d", id))
	c.wake()
	c.conversationChanged(h.ConversationID)
	c.Notify()
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

// send writes a message to the transcript and the outbox, unless the
// person opted out or blocked the service (then only the transcript).
//
// On SMS the text is prepared and fitted as the engine's replies are
// (bot.SplitSMS): over the engine's segment budget it goes as several
// messages cut at sentence ends, in order, rather than one over-long
// message or a "MORE" cut the bot could not page while a handoff is open.
// The transcript records each message as sent.
func (c *Console) send(r *http.Request, tx bot.Tx, conv bot.Conversation, contact bot.Contact, dir bot.Direction, text, topic string) error {
	ctx := r.Context()
	surface := conv.Surface
	if surface == "" {
		surface, _ = bot.ParseSurface(string(contact.Channel))
	}
	parts := []string{text}
	if surface == bot.SurfaceSMS {
		parts = bot.SplitSMS(text)
	}
	for _, part := range parts {
		if _, err := tx.AddMessage(ctx, bot.Message{ConversationID: conv.ID, Direction: dir, Text: part,
			Topic: topic, CreatedAt: c.clock()}); err != nil {
			return err
		}
		if contact.OptedOut || contact.Blocked {
			continue
		}
		if _, err := tx.Enqueue(ctx, bot.Outbound{ContactID: contact.ID, ConversationID: conv.ID, Channel: contact.Channel,
			Surface: surface, Lang: conv.Lang, Text: part}); err != nil {
			return err
		}
	}
	return nil
}

func (c *Console) wake() {
	if c.delivered != nil {
		c.delivered()
	}
}

// transfer hands an assigned handoff to another caseworker (the holder or
// an admin may).
func (c *Console) transfer(w http.ResponseWriter, r *http.Request) {
	id, h, err := c.heldHandoff(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	to, err := strconv.ParseInt(r.PostFormValue("to"), 10, 64)
	if err != nil {
		c.error(w, r, "console.error.choose_caseworker", http.StatusBadRequest)
		return
	}
	all, err := c.store.Caseworkers(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(all, func(cw bot.Caseworker) bool { return cw.ID == to && !cw.Disabled })
	if i < 0 {
		c.error(w, r, "console.error.choose_caseworker", http.StatusBadRequest)
		return
	}
	if err := c.handoffTx(r, func(tx bot.HandoffTx) error { return tx.AssignHandoff(r.Context(), id, to) }); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, caseworker(r).ID, "transfer", h.ConversationID, fmt.Sprintf("handoff %d to %s", id, all[i].Email))
	c.Notify()
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}
