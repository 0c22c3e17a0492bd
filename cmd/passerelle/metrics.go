package main

import (
	"fmt"
	"io"
	"net/http"
)

// serveMetrics writes the counters the service keeps, in Prometheus' text
// exposition format. Today that is what the SMS and WhatsApp channel
// counts (replies, SMS segments per reply, templates, held replies,
// refused webhooks); inbound, outbox and latency metrics come with the
// operations work (issue 7).
func (m *Main) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	writeMetrics(w, m)
}

func writeMetrics(w io.Writer, m *Main) {
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
