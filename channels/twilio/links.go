package twilio

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Start is what a link asks the first message to carry: an outreach
// campaign (1-32 letters, digits or _; it names a poster, a place or a week
// of outreach, never a person), and optionally the language (a 2-3 letter
// code) and topic to open with. The format is the one of Telegram start
// payloads, CAMPAIGN[-LANG][--TOPIC], with _ for each dot of the topic.
type Start struct {
	Campaign, Lang, Topic string
}

var (
	linkCampaignRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
	linkLangRE     = regexp.MustCompile(`^[a-z]{2,3}$`)
	linkTopicRE    = regexp.MustCompile(`^[a-z0-9]+([.-][a-z0-9]+)*$`)
)

// StartText is the message a link prefills: "START #CODE". The channel
// reads it back into Inbound.Campaign, LangHint and TopicHint, and the
// engine sees START: the welcome, as a Telegram deep link gives.
func StartText(s Start) (string, error) {
	if !linkCampaignRE.MatchString(s.Campaign) {
		return "", fmt.Errorf("campaign %q: use 1-32 letters, digits or _", s.Campaign)
	}
	code := s.Campaign
	if s.Lang != "" {
		if !linkLangRE.MatchString(s.Lang) {
			return "", fmt.Errorf("language %q: use a 2-3 letter code such as ti or ckb", s.Lang)
		}
		code += "-" + s.Lang
	}
	if s.Topic != "" {
		if !linkTopicRE.MatchString(s.Topic) {
			return "", fmt.Errorf("topic %q: not a topic id", s.Topic)
		}
		code += "--" + strings.ReplaceAll(s.Topic, ".", "_")
	}
	text := "START #" + code
	if m := campaignRE.FindStringSubmatch(text); m == nil || m[1] != s.Campaign || m[2] != s.Lang ||
		strings.ReplaceAll(m[3], "_", ".") != s.Topic {
		return "", fmt.Errorf("campaign %q, language %q and topic %q cannot be told apart in a link", s.Campaign, s.Lang, s.Topic)
	}
	return text, nil
}

// WhatsAppLink is the wa.me link that opens a WhatsApp chat with sender
// (the WhatsApp number, with or without "whatsapp:") with the start text
// prefilled.
func WhatsAppLink(sender string, s Start) (string, error) {
	num := strings.TrimPrefix(strings.TrimPrefix(sender, "whatsapp:"), "+")
	if !e164RE.MatchString("+" + num) {
		return "", fmt.Errorf("WhatsApp sender %q: want whatsapp:+<E.164 number>", sender)
	}
	text, err := StartText(s)
	if err != nil {
		return "", err
	}
	return "https://wa.me/" + num + "?text=" + url.QueryEscape(text), nil
}

// SMSLink is the sms: link (for a QR code or a web page) that opens the
// phone's messages with the start text prefilled for number.
func SMSLink(number string, s Start) (string, error) {
	if !e164RE.MatchString(number) {
		return "", fmt.Errorf("SMS number %q: want an E.164 number", number)
	}
	text, err := StartText(s)
	if err != nil {
		return "", err
	}
	return "sms:" + number + "?body=" + url.PathEscape(text), nil
}
