package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/metrics"
)

// serviceMetrics are the service's counters. Every label comes from a
// bounded set: channels, the catalogue's languages, failure kinds and the
// ServeMux's route patterns; anything else is "other".
type serviceMetrics struct {
	inbound      *metrics.Counter // channel
	replies      *metrics.Counter // channel
	answers      *metrics.Counter // lang
	abstentions  *metrics.Counter // lang
	handoffs     *metrics.Counter // lang
	sent         *metrics.Counter // channel
	sendFailures *metrics.Counter // channel, reason
	purged       *metrics.Counter
	purgeRuns    *metrics.Counter // result
	latency      *metrics.Histogram

	knownLang func(string) bool
}

func newServiceMetrics(knownLang func(string) bool) *serviceMetrics {
	return &serviceMetrics{
		inbound:      metrics.NewCounter("passerelle_inbound_messages_total", "Inbound messages handled (duplicates excluded), by channel.", "channel"),
		replies:      metrics.NewCounter("passerelle_replies_queued_total", "Replies written to the outbox, by channel.", "channel"),
		answers:      metrics.NewCounter("passerelle_answers_total", "Questions answered from the knowledge base, by language.", "lang"),
		abstentions:  metrics.NewCounter("passerelle_abstentions_total", "Questions the bot could not answer, by language.", "lang"),
		handoffs:     metrics.NewCounter("passerelle_handoffs_total", "Handoffs to a caseworker opened or raised, by language.", "lang"),
		sent:         metrics.NewCounter("passerelle_outbox_sent_total", "Outbox messages accepted by their provider, by channel.", "channel"),
		sendFailures: metrics.NewCounter("passerelle_send_failures_total", "Failed send attempts, by channel and kind (retry, permanent, blocked, opted_out, held).", "channel", "reason"),
		purged:       metrics.NewCounter("passerelle_retention_purged_rows_total", "Rows deleted by the retention job."),
		purgeRuns:    metrics.NewCounter("passerelle_retention_runs_total", "Retention job runs, by result (ok, error).", "result"),
		latency: metrics.NewHistogram("passerelle_http_request_duration_seconds",
			"HTTP request latency by route pattern (event streams excluded).", "route", metrics.DefaultLatencyBuckets),
		knownLang: knownLang,
	}
}

func channelLabel(c bot.Channel) string {
	switch c {
	case bot.ChannelTelegram, bot.ChannelSMS, bot.ChannelWhatsApp, bot.ChannelWeb:
		return string(c)
	}
	return "other"
}

func (sm *serviceMetrics) langLabel(lang string) string {
	if lang != "" && sm.knownLang != nil && sm.knownLang(lang) {
		return lang
	}
	return "other"
}

// turn counts what the engine did with one inbound message.
func (sm *serviceMetrics) turn(o bot.Outcome) {
	ch := channelLabel(o.Channel)
	sm.inbound.Inc(ch)
	if o.Queued > 0 {
		sm.replies.Add(float64(o.Queued), ch)
	}
	lang := sm.langLabel(o.Lang)
	if o.Answered > 0 {
		sm.answers.Add(float64(o.Answered), lang)
	}
	if o.Abstained > 0 {
		sm.abstentions.Add(float64(o.Abstained), lang)
	}
	if o.Handoffs > 0 {
		sm.handoffs.Add(float64(o.Handoffs), lang)
	}
}

// send counts one send attempt of the outbox worker.
func (sm *serviceMetrics) send(o bot.Outbound, err error) {
	ch := channelLabel(o.Channel)
	if err == nil {
		sm.sent.Inc(ch)
		return
	}
	kind, _ := bot.SendErrorKindOf(err)
	sm.sendFailures.Inc(ch, kindLabel(kind))
}

func kindLabel(k bot.SendErrorKind) string {
	switch k {
	case bot.SendRetry:
		return "retry"
	case bot.SendPermanent:
		return "permanent"
	case bot.SendBlocked:
		return "blocked"
	case bot.SendOptedOut:
		return "opted_out"
	case bot.SendHeld:
		return "held"
	}
	return "other"
}

// instrument measures each request's latency under the route pattern the
// mux matched ("unmatched" when none did), never the raw path. Event
// streams (text/event-stream) last as long as a page is open and are left
// out.
func (sm *serviceMetrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		if strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream") {
			return
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		sm.latency.Observe(time.Since(start).Seconds(), route)
	})
}

// serveMetrics writes the service's metrics in Prometheus' text
// exposition format: engine and outbox counters, the outbox queue read
// from the store at scrape time, request latencies, the retention job, and
// the SMS and WhatsApp channel's counters when Twilio is configured.
func (m *Main) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	sm := m.metrics
	for _, c := range []*metrics.Counter{sm.inbound, sm.replies, sm.answers, sm.abstentions, sm.handoffs,
		sm.sent, sm.sendFailures, sm.purged, sm.purgeRuns} {
		c.WriteTo(w)
	}
	sm.latency.WriteTo(w)
	if st, err := m.Store.OutboxStats(r.Context()); err != nil {
		m.Log.Error("metrics: outbox stats", "err", err)
		fmt.Fprintln(w, "# outbox stats unavailable: the database did not answer.")
	} else {
		age := 0.0
		if !st.Oldest.IsZero() {
			age = max(m.Clock().Sub(st.Oldest).Seconds(), 0)
		}
		metrics.WriteGauge(w, "passerelle_outbox_queued", "Replies waiting to be sent (retries included, held excluded).", float64(st.Queued))
		metrics.WriteGauge(w, "passerelle_outbox_held", "Replies held until their contact writes again (closed WhatsApp window).", float64(st.Held))
		metrics.WriteGauge(w, "passerelle_outbox_oldest_age_seconds", "Age of the oldest queued reply; 0 when none is queued.", age)
	}
	writeTwilioMetrics(w, m)
}

func writeTwilioMetrics(w io.Writer, m *Main) {
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	if m.Twilio == nil {
		fmt.Fprintln(w, "# Twilio is not configured: no SMS or WhatsApp counters.")
		return
	}
	s := m.Twilio.Stats()
	counter("passerelle_sms_replies_total", "SMS messages sent.", s.SMSReplies)
	counter("passerelle_sms_segments_total", "SMS segments those messages cost.", s.SMSSegments)
	name := "passerelle_sms_replies_by_segments_total"
	fmt.Fprintf(w, "# HELP %s SMS messages sent, by the segments each cost (5 = five or more).\n# TYPE %s counter\n", name, name)
	for n := 1; n < len(s.SegmentsPerReply); n++ {
		fmt.Fprintf(w, "%s{segments=\"%d\"} %d\n", name, n, s.SegmentsPerReply[n])
	}
	counter("passerelle_whatsapp_sent_total", "Free-form WhatsApp messages sent.", s.WhatsAppSent)
	counter("passerelle_whatsapp_templates_total", "Reply-waiting templates sent outside the 24-hour window.", s.Templates)
	counter("passerelle_whatsapp_held_total", "Replies held because the 24-hour window was closed.", s.Held)
	counter("passerelle_twilio_webhooks_rejected_total", "Twilio webhook requests refused (signature, size, form).", s.Rejected)
}
