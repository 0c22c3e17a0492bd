package twilio

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	twapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
)

// maxBody is the longest Body the Messages API takes, in characters
// (counted here in UTF-16 units, the stricter count).
const maxBody = 1600

// windowMargin is kept before the end of the WhatsApp window, so that a
// message queued at 23:59 does not reach WhatsApp after it closed.
const windowMargin = 5 * time.Minute

// Twilio error codes the channel acts on.
// https://www.twilio.com/docs/api/errors
const (
	codeTooManyRequests = 20429
	codeInvalidTo       = 21211
	codeUnsubscribed    = 21610
	codeOutsideWindow   = 63016
)

// Send delivers one reply (bot.Sender) and returns the provider's message
// id; see the package documentation for the WhatsApp window and the
// error kinds.
func (c *Channel) Send(ctx context.Context, o bot.Outbound) (string, error) {
	var from, to string
	switch o.Channel {
	case bot.ChannelSMS:
		from, to = c.cfg.SMSFrom, o.Address
	case bot.ChannelWhatsApp:
		from, to = c.cfg.WhatsAppFrom, "whatsapp:"+o.Address
	default:
		return "", permanent(fmt.Errorf("twilio cannot send on channel %q", o.Channel))
	}
	if from == "" {
		return "", permanent(fmt.Errorf("no %s sender configured", o.Channel))
	}
	if o.Address == "" {
		return "", permanent(errors.New("no address"))
	}
	if o.Channel == bot.ChannelWhatsApp && (o.WindowClosed || !c.inWindow(o.LastInbound)) {
		return c.sendTemplate(ctx, o, from, to)
	}
	var sid string
	for i, part := range channels.Split(c.render(o), maxBody, channels.UTF16Len) {
		m, err := c.create(ctx, &twapi.CreateMessageParams{From: &from, To: &to, Body: &part})
		if err != nil {
			if code, _, _ := codeOf(err); code == codeOutsideWindow && o.Channel == bot.ChannelWhatsApp && i == 0 {
				return c.sendTemplate(ctx, o, from, to)
			}
			return "", c.sendError(err)
		}
		sid = deref(m.Sid)
		if o.Channel == bot.ChannelSMS {
			n, err := strconv.Atoi(deref(m.NumSegments))
			if err != nil || n < 1 {
				n = channels.SMSSegments(part)
			}
			c.countSegments(n)
		} else {
			c.stats.whatsapp.Add(1)
		}
	}
	return sid, nil
}

// inWindow reports whether a free-form WhatsApp message may go to a
// person who last wrote at last.
func (c *Channel) inWindow(last time.Time) bool {
	return !last.IsZero() && c.cfg.Clock().Sub(last) < c.cfg.Window-windowMargin
}

// render is the body of o. SMS comes rendered by the engine; typographic
// quotes and dashes are replaced all the same (a caseworker's reply does
// not pass through the engine), so Latin text stays GSM-7. On WhatsApp the
// options follow the text as a numbered list.
func (c *Channel) render(o bot.Outbound) string {
	if o.Channel == bot.ChannelSMS {
		return channels.SMSPrepare(o.Text)
	}
	if len(o.Options) == 0 {
		return o.Text
	}
	var b strings.Builder
	b.WriteString(o.Text)
	b.WriteString("\n\n")
	if c.cat != nil {
		b.WriteString(c.cat.Printer(o.Lang).T("answer.choose_number", nil))
	}
	for i, opt := range o.Options {
		fmt.Fprintf(&b, "\n%d. %s", i+1, opt.Label)
	}
	return b.String()
}

// sendTemplate sends the "a reply is waiting" template in o's language
// (or the fallback) and holds o until the person writes. Without a
// template, or when the template is refused, o is held all the same and
// the reason says why.
func (c *Channel) sendTemplate(ctx context.Context, o bot.Outbound, from, to string) (string, error) {
	lang, sid := c.template(o.Lang)
	if sid == "" {
		c.stats.held.Add(1)
		return "", held("outside the WhatsApp 24-hour window and no template configured for %q (fallback %q): "+
			"the reply waits until the person writes", o.Lang, c.cfg.TemplateFallback)
	}
	m, err := c.create(ctx, &twapi.CreateMessageParams{From: &from, To: &to, ContentSid: &sid})
	if err != nil {
		serr := c.sendError(err)
		if kind, _ := bot.SendErrorKindOf(serr); kind == bot.SendRetry || kind == bot.SendOptedOut {
			return "", serr
		}
		c.stats.held.Add(1)
		code, _, _ := codeOf(err)
		return "", held("outside the WhatsApp 24-hour window; the %s template was refused (Twilio error %d): "+
			"the reply waits until the person writes", lang, code)
	}
	c.stats.templates.Add(1)
	c.stats.held.Add(1)
	return deref(m.Sid), held("outside the WhatsApp 24-hour window: the %s template told the person a reply is waiting; "+
		"it goes when they write", lang)
}

// template is the ContentSid for lang, or for the fallback language.
func (c *Channel) template(lang string) (string, string) {
	if sid := c.cfg.Templates[lang]; sid != "" {
		return lang, sid
	}
	fb := c.cfg.TemplateFallback
	return fb, c.cfg.Templates[fb]
}

// maxPace is the longest create waits for a slot of the shared rate;
// past it the message goes back to the outbox for later.
const maxPace = 3 * time.Second

// create sends one message through the Messages API, within the rate,
// with the status callback set.
func (c *Channel) create(ctx context.Context, p *twapi.CreateMessageParams) (*twapi.ApiV2010Message, error) {
	if err := c.pace(ctx, *p.From); err != nil {
		return nil, err
	}
	p.StatusCallback = &c.callback
	return newAPI(ctx, c).CreateMessage(p)
}

// pace waits for the sender's turn: on the rate shared with the other
// replicas when there is a Pacer, in process otherwise.
func (c *Channel) pace(ctx context.Context, from string) error {
	if c.cfg.Pacer == nil {
		return c.limiterFor(from).wait(ctx)
	}
	wait, ok, err := c.cfg.Pacer.Reserve(ctx, "twilio:"+from, maxPace)
	if err != nil {
		return &bot.SendError{Kind: bot.SendRetry, RetryAfter: time.Second, Err: fmt.Errorf("twilio shared rate: %w", err)}
	}
	if !ok {
		return &bot.SendError{Kind: bot.SendRetry, RetryAfter: wait,
			Err: fmt.Errorf("twilio: sender rate limit, next message in %v", wait.Round(time.Millisecond))}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return &bot.SendError{Kind: bot.SendRetry, Err: ctx.Err()}
	case <-t.C:
		return nil
	}
}

// sendError types a failed call for the worker.
func (c *Channel) sendError(err error) error {
	if _, ok := errors.AsType[*bot.SendError](err); ok {
		return err // already typed (the shared rate)
	}
	code, status, ok := codeOf(err)
	if !ok {
		return &bot.SendError{Kind: bot.SendRetry, Err: err} // network, timeout, bad response
	}
	var ae *apiError
	var after time.Duration
	if errors.As(err, &ae) {
		after = ae.RetryAfter
	}
	switch {
	case status == 429 || code == codeTooManyRequests || status >= 500:
		return &bot.SendError{Kind: bot.SendRetry, RetryAfter: after, Err: err}
	case status == 401:
		c.log.Error("twilio refused the credentials; check PASSERELLE_TWILIO_ACCOUNT_SID and _AUTH_TOKEN", "code", code)
		return &bot.SendError{Kind: bot.SendRetry, RetryAfter: time.Minute, Err: err}
	}
	return &bot.SendError{Kind: errorKind(code), Err: err}
}

// errorKind is what a Twilio error code means for the message and the
// person, when it is not a matter of retrying.
func errorKind(code int) bot.SendErrorKind {
	switch code {
	case codeUnsubscribed:
		return bot.SendOptedOut
	case codeOutsideWindow:
		return bot.SendHeld
	case codeTooManyRequests:
		return bot.SendRetry
	}
	// 21211 invalid To, 21614 not a mobile number, 21612 unroutable,
	// 21408 region not enabled, 63003/63024 not a WhatsApp recipient, and
	// every other refusal: trying again would not help.
	return bot.SendPermanent
}

func permanent(err error) error { return &bot.SendError{Kind: bot.SendPermanent, Err: err} }

func held(format string, args ...any) error {
	return &bot.SendError{Kind: bot.SendHeld, Err: fmt.Errorf(format, args...)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// numberRE finds phone numbers Twilio quotes in its error messages.
var numberRE = regexp.MustCompile(`\+?[0-9][0-9 ]{5,}[0-9]`)

// redact hides phone numbers in text that may reach logs.
func redact(s string) string { return numberRE.ReplaceAllString(s, "[number]") }
