package main

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/knowledge"
)

// twilioEnabled tells whether Twilio is configured: an account and a
// sender.
func (c Config) twilioEnabled() bool {
	return c.TwilioAccountSID != "" || c.TwilioAuthToken != "" || c.TwilioSMSFrom != "" || c.TwilioWhatsAppFrom != ""
}

// validateTwilio checks the Twilio settings together: once any is set,
// the account, the token, a sender and the public URL (webhooks and status
// callbacks) are required; the rate and the templates must make sense.
func (c Config) validateTwilio() error {
	if c.TwilioRate < 0 || c.TwilioRate > 10000 {
		return fmt.Errorf("PASSERELLE_TWILIO_RATE: %v is not between 0 (default) and 10000 messages a second", c.TwilioRate)
	}
	templates, err := parseTemplates(c.TwilioTemplates)
	if err != nil {
		return fmt.Errorf("PASSERELLE_TWILIO_WHATSAPP_TEMPLATES: %w", err)
	}
	fallback := c.templateLang()
	if !knowledge.IsLanguage(fallback) {
		return fmt.Errorf("PASSERELLE_TWILIO_TEMPLATE_FALLBACK: %q is not a language code", fallback)
	}
	if len(templates) > 0 && templates[fallback] == "" {
		return fmt.Errorf("PASSERELLE_TWILIO_TEMPLATE_FALLBACK: no template for %q in PASSERELLE_TWILIO_WHATSAPP_TEMPLATES", fallback)
	}
	if !c.twilioEnabled() {
		return nil
	}
	switch {
	case c.TwilioAccountSID == "":
		return errors.New("PASSERELLE_TWILIO_ACCOUNT_SID: required when Twilio is configured")
	case c.TwilioAuthToken == "":
		return errors.New("PASSERELLE_TWILIO_AUTH_TOKEN: required when Twilio is configured")
	case c.TwilioSMSFrom == "" && c.TwilioWhatsAppFrom == "":
		return errors.New("PASSERELLE_TWILIO_SMS_FROM or PASSERELLE_TWILIO_WHATSAPP_FROM: set at least one sender")
	case c.PublicURL == "":
		return errors.New("PASSERELLE_PUBLIC_URL: required with Twilio (webhooks and status callbacks are signed for it)")
	}
	return nil
}

// templateLang is the language whose WhatsApp template serves languages
// that have none (default English).
func (c Config) templateLang() string {
	if c.TwilioTemplateLang == "" {
		return "en"
	}
	return c.TwilioTemplateLang
}

var contentSIDRE = regexp.MustCompile(`^HX[0-9a-fA-F]{32}$`)

// parseTemplates reads "lang=HX...,lang=HX..." (spaces allowed).
func parseTemplates(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		lang, sid, ok := strings.Cut(pair, "=")
		lang, sid = strings.TrimSpace(lang), strings.TrimSpace(sid)
		if !ok || !knowledge.IsLanguage(lang) {
			return nil, fmt.Errorf("%q: want language=ContentSid, such as fr=HX...", pair)
		}
		if !contentSIDRE.MatchString(sid) {
			return nil, fmt.Errorf("%s: %q is not a ContentSid (HX and 32 hex digits)", lang, sid)
		}
		if _, dup := out[lang]; dup {
			return nil, fmt.Errorf("%s: given twice", lang)
		}
		out[lang] = sid
	}
	return out, nil
}

// openTwilio wires the SMS and WhatsApp channel when Twilio is configured
// (config validation has checked the settings go together).
func (m *Main) openTwilio() error {
	c := m.Config
	if !c.twilioEnabled() {
		return nil
	}
	templates, err := parseTemplates(c.TwilioTemplates)
	if err != nil {
		return fmt.Errorf("PASSERELLE_TWILIO_WHATSAPP_TEMPLATES: %w", err)
	}
	cfg := twilio.Config{
		AccountSID: c.TwilioAccountSID, AuthToken: c.TwilioAuthToken, APIURL: c.TwilioAPIURL,
		PublicURL: c.PublicURL, SMSFrom: c.TwilioSMSFrom, WhatsAppFrom: c.TwilioWhatsAppFrom,
		Rate: c.TwilioRate, Templates: templates, TemplateFallback: c.templateLang(),
		HTTPClient: c.providerClient(15 * time.Second), Clock: m.Clock,
	}
	rate := c.TwilioRate
	if rate <= 0 {
		rate = twilio.DefaultRate
	}
	if p, ok := m.sharedPacer(rate); ok {
		cfg.Pacer = p
	}
	tw, err := twilio.New(cfg, m.Engine, m.Worker, m.Locales, m.Log.With("component", "twilio"))
	if err != nil {
		return err
	}
	m.Twilio = tw
	if c.TwilioSMSFrom != "" {
		m.Worker.Senders[bot.ChannelSMS] = tw
	}
	if c.TwilioWhatsAppFrom != "" {
		m.Worker.Senders[bot.ChannelWhatsApp] = tw
	}
	langs := make([]string, 0, len(templates))
	for l := range templates {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	m.Log.Info("twilio channel ready", "sms", c.TwilioSMSFrom != "", "whatsapp", c.TwilioWhatsAppFrom != "",
		"templates", strings.Join(langs, ","))
	return nil
}

// twilioRoutes registers the Twilio webhooks when the channel is on.
func (m *Main) twilioRoutes(mux *http.ServeMux) {
	if m.Twilio != nil {
		m.Twilio.Routes(mux)
	}
}

// twilioLinks are the links `passerelle links` prints for Twilio senders:
// the wa.me link and the sms: link, each prefilling "START #CODE" (the
// campaign, language and topic come back with the first message), and the
// SMS keyword to print on a poster.
func twilioLinks(c Config, s twilio.Start) ([]string, error) {
	var out []string
	text, err := twilio.StartText(s)
	if err != nil {
		return nil, err
	}
	if c.TwilioWhatsAppFrom != "" {
		link, err := twilio.WhatsAppLink(c.TwilioWhatsAppFrom, s)
		if err != nil {
			return nil, err
		}
		out = append(out, link)
	}
	if c.TwilioSMSFrom != "" {
		link, err := twilio.SMSLink(c.TwilioSMSFrom, s)
		if err != nil {
			return nil, err
		}
		out = append(out, link, fmt.Sprintf("SMS: text %q to %s", text, c.TwilioSMSFrom))
	}
	return out, nil
}
