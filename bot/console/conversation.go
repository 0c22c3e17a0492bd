package console

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/locales"
)

// articleChoice is one article the caseworker may send: chosen by its
// French or English title, sent in the person's language.
type articleChoice struct {
	Topic, Label string
}

type conversationData struct {
	page
	Handoff    bot.QueueItem
	Pseudonym  string
	Language   string
	Surface    bot.Surface
	Messages   []bot.Message
	Outbox     []bot.Outbound
	Notes      []bot.Note
	Articles   []articleChoice
	Address    string // only after an explicit reveal
	Mine       bool   // the caseworker holds it (or is an admin)
	Summary    []string
	OptedOut   bool
	Colleagues []bot.Caseworker // who a transfer may go to
}

// pseudonym names a contact without personal data: a short piece of its
// HMAC lookup key.
func pseudonym(p *locales.Printer, c bot.Contact) string {
	k := strings.ToUpper(c.Key)
	if len(k) > 6 {
		k = k[:6]
	}
	return p.T("console.conv.pseudonym", map[string]any{"Code": k})
}

func (c *Console) conversationPage(w http.ResponseWriter, r *http.Request) {
	c.showConversation(w, r, "")
}

// showConversation renders the conversation of handoff {id}; address is
// shown only when the caseworker just revealed it.
func (c *Console) showConversation(w http.ResponseWriter, r *http.Request, address string) {
	id, err := pathID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ctx := r.Context()
	h, err := c.store.HandoffByID(ctx, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	conv, contact, err := c.store.ConversationByID(ctx, h.ConversationID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	me := caseworker(r)
	pg := c.page(r, "console.conv.transcript")
	pg.Title = pseudonym(pg.P, contact)
	d := conversationData{page: pg, Handoff: h, Pseudonym: pg.Title, Surface: conv.Surface,
		Address: address, OptedOut: contact.OptedOut || contact.Blocked,
		Mine: h.Status == bot.HandoffAssigned && (h.CaseworkerID == me.ID || me.Role == bot.RoleAdmin)}
	d.Language = conv.Lang
	if l, ok := c.locales.Language(conv.Lang); ok {
		d.Language = fmt.Sprintf("%s (%s)", l.Name, conv.Lang)
	}
	for _, part := range strings.Split(h.Summary, " · ") {
		if part = strings.TrimSpace(part); part != "" {
			d.Summary = append(d.Summary, part)
		}
	}
	if d.Messages, err = c.store.Transcript(ctx, h.ConversationID); err != nil {
		c.fail(w, r, err)
		return
	}
	d.Summary = append(d.Summary, c.transcriptSummary(pg.P, contact.Channel, d.Messages)...)
	if d.Outbox, err = c.store.Outbox(ctx, h.ConversationID); err != nil {
		c.fail(w, r, err)
		return
	}
	if d.Notes, err = c.store.Notes(ctx, h.ConversationID); err != nil {
		c.fail(w, r, err)
		return
	}
	d.Articles = c.articleChoices(conv.Lang)
	if d.Mine {
		all, err := c.store.Caseworkers(ctx)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for _, cw := range all {
			if cw.ID != h.CaseworkerID && !cw.Disabled {
				d.Colleagues = append(d.Colleagues, cw)
			}
		}
	}
	if address == "" {
		c.audit(r, me.ID, "view", h.ConversationID, fmt.Sprintf("handoff %d", id))
	}
	c.render(w, http.StatusOK, "conversation.html", d)
}

// whatsAppWindow is how long after a person's last message WhatsApp
// accepts free-form replies.
const whatsAppWindow = 24 * time.Hour

// transcriptSummary adds to the engine's summary what the transcript
// tells: the topics the bot answered, and on WhatsApp whether a reply can
// go now or will go as a template.
func (c *Console) transcriptSummary(p *locales.Printer, ch bot.Channel, msgs []bot.Message) []string {
	var out, topics []string
	seen := map[string]bool{}
	var lastIn time.Time
	for _, m := range msgs {
		if m.Direction == bot.FromBot && m.Topic != "" && !seen[m.Topic] {
			seen[m.Topic] = true
			topics = append(topics, m.Topic)
		}
		if m.Direction == bot.FromPerson {
			lastIn = m.CreatedAt
		}
	}
	if len(topics) > 0 {
		out = append(out, p.T("console.summary.answered", map[string]any{"Topics": strings.Join(topics, ", ")}))
	}
	if ch == bot.ChannelWhatsApp && !lastIn.IsZero() {
		now := time.Now()
		if c.clock != nil {
			now = c.clock()
		}
		if left := whatsAppWindow - now.Sub(lastIn); left > 0 {
			out = append(out, p.T("console.summary.wa_open", map[string]any{"Left": left.Round(time.Minute).String()}))
		} else {
			out = append(out, p.T("console.summary.wa_closed", nil))
		}
	}
	return out
}

// articleChoices lists the articles that exist in lang, labelled by their
// French and English titles.
func (c *Console) articleChoices(lang string) []articleChoice {
	if c.articles == nil || lang == "" {
		return nil
	}
	var out []articleChoice
	for _, a := range c.articles.ArticlesIn(lang) {
		var titles []string
		for _, l := range []string{"fr", "en"} {
			if t, ok := c.articles.Article(a.Topic, l); ok {
				titles = append(titles, t.Title)
			}
		}
		if a.Lang != "fr" && a.Lang != "en" {
			titles = append(titles, a.Title)
		}
		out = append(out, articleChoice{Topic: a.Topic, Label: strings.Join(titles, " / ")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// reply sends the caseworker's text to the person through the outbox.
func (c *Console) reply(w http.ResponseWriter, r *http.Request) {
	text := strings.TrimSpace(r.PostFormValue("text"))
	c.deliver(w, r, "reply", func(conv bot.Conversation) (string, string, error) {
		if text == "" {
			return "", "", fmt.Errorf("empty reply: %w", errEmpty)
		}
		if len([]rune(text)) > bot.MaxRunes {
			return "", "", fmt.Errorf("reply too long: %w", errEmpty)
		}
		return text, "", nil
	})
}

// sendArticle sends a knowledge-base article in the person's language.
func (c *Console) sendArticle(w http.ResponseWriter, r *http.Request) {
	topic := r.PostFormValue("topic")
	c.deliver(w, r, "article", func(conv bot.Conversation) (string, string, error) {
		if c.articles == nil {
			return "", "", fmt.Errorf("article %s: %w", topic, bot.ErrNotFound)
		}
		a, ok := c.articles.Article(topic, conv.Lang)
		if !ok {
			return "", "", fmt.Errorf("article %s/%s: %w", topic, conv.Lang, bot.ErrNotFound)
		}
		return a.Title + "\n\n" + a.Summary, topic, nil
	})
}

var errEmpty = errors.New("nothing to send")

// deliver checks the caseworker holds the handoff, then writes what make
// returns to the transcript and the outbox in one transaction.
func (c *Console) deliver(w http.ResponseWriter, r *http.Request, action string,
	make func(bot.Conversation) (text, topic string, err error)) {
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
	text, topic, err := make(conv)
	if err != nil {
		if errors.Is(err, errEmpty) {
			c.error(w, r, "console.error.empty_reply", http.StatusBadRequest)
			return
		}
		c.fail(w, r, err)
		return
	}
	err = c.store.InTx(r.Context(), func(tx bot.Tx) error {
		if _, err := tx.OpenHandoff(r.Context(), h.ConversationID); err != nil {
			return err // closed meanwhile: send nothing
		}
		return c.send(r, tx, conv, contact, bot.FromCaseworker, text, topic)
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, caseworker(r).ID, action, h.ConversationID, topic)
	c.wake()
	c.conversationChanged(h.ConversationID) // a colleague's open page shows it
	http.Redirect(w, r, fmt.Sprintf("/console/handoffs/%d#reply", id), http.StatusSeeOther)
}

// note records a private note; any caseworker who can see it may add one.
func (c *Console) note(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	h, err := c.store.HandoffByID(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" {
		c.error(w, r, "console.error.empty_note", http.StatusBadRequest)
		return
	}
	me := caseworker(r)
	if _, err := c.store.AddNote(r.Context(), bot.Note{ConversationID: h.ConversationID, CaseworkerID: me.ID,
		Text: text, CreatedAt: c.clock()}); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, me.ID, "note", h.ConversationID, "")
	http.Redirect(w, r, fmt.Sprintf("/console/handoffs/%d#notes", id), http.StatusSeeOther)
}

// reveal shows the contact's address once, on an explicit POST, and logs
// it in the audit log (in the store, in the same transaction).
func (c *Console) reveal(w http.ResponseWriter, r *http.Request) {
	_, h, err := c.heldHandoff(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	addr, err := c.store.RevealAddress(r.Context(), h.ConversationID, caseworker(r).ID, c.clock())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.showConversation(w, r, addr)
}

type auditData struct {
	page
	Entries []bot.AuditEntry
}

// auditPage shows the latest console actions to admins.
func (c *Console) auditPage(w http.ResponseWriter, r *http.Request) {
	me := caseworker(r)
	if me.Role != bot.RoleAdmin {
		c.fail(w, r, errForbidden)
		return
	}
	entries, err := c.store.AuditLog(r.Context(), 500)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, http.StatusOK, "audit.html", auditData{page: c.page(r, "console.nav.audit"), Entries: entries})
}
