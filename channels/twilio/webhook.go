package twilio

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/passerelle-org/passerelle/bot"
)

// maxRequest bounds a webhook body: an SMS is at most 1600 characters and
// a message form some forty short parameters; 64 KiB leaves room for
// WhatsApp's JSON metadata and ten media URLs.
const maxRequest = 64 << 10

// emptyTwiML answers an inbound message: no reply in the response, replies
// go through the outbox.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// verify reads and checks a webhook request. It writes the refusal and
// returns false when the request is not a correctly signed Twilio form:
// 403 without a valid signature, 413 past maxRequest, 400 for a body that
// is not a form. Nothing is recorded for a refused request.
func (c *Channel) verify(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" {
		c.refuse(w, r, http.StatusForbidden, "missing signature")
		return nil, false
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			c.refuse(w, r, http.StatusUnsupportedMediaType, "not a form")
			return nil, false
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.refuse(w, r, http.StatusRequestEntityTooLarge, "body too large")
		} else {
			c.refuse(w, r, http.StatusBadRequest, "unreadable body")
		}
		return nil, false
	}
	form, err := parseForm(body)
	if err != nil {
		c.refuse(w, r, http.StatusBadRequest, "malformed form")
		return nil, false
	}
	if !c.validator.Validate(c.signedURL(r), form, sig) {
		c.refuse(w, r, http.StatusForbidden, "invalid signature")
		return nil, false
	}
	if acc := form["AccountSid"]; acc != "" && acc != c.cfg.AccountSID {
		c.refuse(w, r, http.StatusForbidden, "another account")
		return nil, false
	}
	return form, true
}

// signedURL is the URL Twilio signed: the configured public URL (never
// the Host header, which a reverse proxy rewrites) with the request's path
// and query exactly as they came.
func (c *Channel) signedURL(r *http.Request) string {
	u := c.public + r.URL.EscapedPath()
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		u += "?" + r.URL.RawQuery
	}
	return u
}

func (c *Channel) refuse(w http.ResponseWriter, r *http.Request, status int, why string) {
	c.stats.rejected.Add(1)
	c.log.Warn("twilio webhook refused", "path", r.URL.Path, "status", status, "why", why)
	http.Error(w, http.StatusText(status), status)
}

// inbound handles a message webhook for channel ch.
func (c *Channel) inbound(ch bot.Channel) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		form, ok := c.verify(w, r)
		if !ok {
			return
		}
		msg, err := decodeInbound(form)
		if err != nil {
			c.refuse(w, r, http.StatusBadRequest, err.Error())
			return
		}
		in, err := msg.toInbound(ch)
		if err != nil {
			c.refuse(w, r, http.StatusBadRequest, err.Error())
			return
		}
		if err := c.h.Handle(r.Context(), in); err != nil {
			// Nothing was recorded: Twilio may try again.
			c.log.Error("inbound message not handled", "channel", ch, "err", err)
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		c.log.Debug("inbound message", "channel", ch, "media", len(in.Media), "button", in.Payload != "")
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		io.WriteString(w, emptyTwiML)
	}
}

// status handles a delivery status callback.
func (c *Channel) status(w http.ResponseWriter, r *http.Request) {
	form, ok := c.verify(w, r)
	if !ok {
		return
	}
	st, err := decodeStatus(form)
	if err != nil {
		c.refuse(w, r, http.StatusBadRequest, err.Error())
		return
	}
	d := st.toDelivery()
	d.At = c.cfg.Clock().UTC()
	err = c.rep.Report(r.Context(), d)
	switch {
	case errors.Is(err, bot.ErrNotFound):
		c.log.Debug("status callback for an unknown message ignored", "status", d.Status)
	case err != nil:
		c.log.Error("status callback not recorded", "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
