package twilio

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/locales/control"
)

// errMalformed marks a request body that is not a Twilio message form.
var errMalformed = errors.New("malformed twilio form")

// parseForm decodes an application/x-www-form-urlencoded body into one
// value per parameter. A parameter given twice is malformed: the
// signature validator reads only the first value, so a second could not
// be trusted.
func parseForm(body []byte) (map[string]string, error) {
	if !utf8.Valid(body) {
		return nil, fmt.Errorf("%w: not UTF-8", errMalformed)
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	form := make(map[string]string, len(vals))
	for k, v := range vals {
		if len(v) != 1 {
			return nil, fmt.Errorf("%w: parameter %q given %d times", errMalformed, k, len(v))
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v[0]) {
			return nil, fmt.Errorf("%w: parameter %q is not UTF-8", errMalformed, k)
		}
		form[k] = v[0]
	}
	return form, nil
}

var (
	sidRE     = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)
	smsFromRE = regexp.MustCompile(`^\+?[0-9]{3,15}$`)
	waIDRE    = regexp.MustCompile(`^[0-9]{6,15}$`)
	errCodeRE = regexp.MustCompile(`^[0-9]{1,6}$`)
	statusRE  = regexp.MustCompile(`^[a-z_]{1,32}$`)
	// campaignRE is the first message a wa.me or sms: link prefills:
	// "START #CAMPAIGN[-LANG][--TOPIC]" (see StartText).
	campaignRE = regexp.MustCompile(`^(?i:start)?\s*#([A-Za-z0-9_]{1,32})(?:-([a-z]{2,3}))?(?:--([a-z0-9]+(?:[_-][a-z0-9]+)*))?$`)
)

// maxMedia is the most media items Twilio attaches to one message.
const maxMedia = 10

// inboundForm is the part of an inbound message webhook Passerelle reads.
// https://www.twilio.com/docs/messaging/guides/webhook-request
type inboundForm struct {
	MessageSid    string
	AccountSid    string
	From          string
	Body          string
	NumMedia      int
	MediaTypes    []string // MediaContentType0..N-1
	ProfileName   string   // WhatsApp
	WaID          string   // WhatsApp
	ButtonPayload string
	ButtonText    string
	Location      bool // Latitude and Longitude given
	OptOutType    string
}

// decodeInbound reads an inbound message form.
func decodeInbound(f map[string]string) (inboundForm, error) {
	in := inboundForm{
		MessageSid: f["MessageSid"], AccountSid: f["AccountSid"], From: f["From"], Body: f["Body"],
		ProfileName: f["ProfileName"], WaID: f["WaId"],
		ButtonPayload: f["ButtonPayload"], ButtonText: f["ButtonText"],
		OptOutType: strings.ToUpper(f["OptOutType"]),
	}
	if in.MessageSid == "" {
		in.MessageSid = f["SmsMessageSid"]
	}
	if !sidRE.MatchString(in.MessageSid) {
		return in, fmt.Errorf("%w: MessageSid missing or not a message SID", errMalformed)
	}
	if in.From == "" {
		return in, fmt.Errorf("%w: From missing", errMalformed)
	}
	if n := f["NumMedia"]; n != "" {
		k, err := strconv.Atoi(n)
		if err != nil || k < 0 || k > maxMedia {
			return in, fmt.Errorf("%w: NumMedia %q", errMalformed, n)
		}
		in.NumMedia = k
		for i := range k {
			in.MediaTypes = append(in.MediaTypes, f["MediaContentType"+strconv.Itoa(i)])
		}
	}
	if lat, lon := f["Latitude"], f["Longitude"]; lat != "" || lon != "" {
		if _, err := strconv.ParseFloat(lat, 64); err != nil {
			return in, fmt.Errorf("%w: Latitude", errMalformed)
		}
		if _, err := strconv.ParseFloat(lon, 64); err != nil {
			return in, fmt.Errorf("%w: Longitude", errMalformed)
		}
		in.Location = true
	}
	return in, nil
}

// toInbound maps the form to a bot.Inbound on channel ch, checking that
// the sender's address fits the channel. Addresses are kept as E.164
// numbers, without "whatsapp:".
func (in inboundForm) toInbound(ch bot.Channel) (bot.Inbound, error) {
	out := bot.Inbound{Channel: ch, ProviderID: in.MessageSid, Text: in.Body}
	switch ch {
	case bot.ChannelWhatsApp:
		num, ok := strings.CutPrefix(in.From, "whatsapp:")
		if !ok || !e164RE.MatchString(num) {
			return out, fmt.Errorf("%w: From is not a WhatsApp address", errMalformed)
		}
		if in.WaID != "" && (!waIDRE.MatchString(in.WaID) || "+"+in.WaID != num) {
			return out, fmt.Errorf("%w: WaId does not match From", errMalformed)
		}
		out.Address = num
		out.Profile = strings.TrimSpace(in.ProfileName)
	default:
		if !smsFromRE.MatchString(in.From) {
			return out, fmt.Errorf("%w: From is not a phone number", errMalformed)
		}
		out.Address = in.From
	}
	if in.ButtonPayload != "" {
		out.Payload = in.ButtonPayload
		if in.ButtonText != "" {
			out.Text = in.ButtonText
		}
	}
	for _, t := range in.MediaTypes {
		out.Media = append(out.Media, mediaKind(t))
	}
	if in.Location {
		out.Media = append(out.Media, "location")
	}
	if m := campaignRE.FindStringSubmatch(strings.TrimSpace(out.Text)); m != nil && out.Payload == "" {
		out.Campaign, out.LangHint = m[1], m[2]
		out.TopicHint = strings.ReplaceAll(m[3], "_", ".")
		out.Text = "START"
	}
	if word := optOutWord(in.OptOutType); word != "" {
		if intent, _, ok := control.Match(out.Text); !ok || string(intent) != word {
			out.Text = word
		}
		// Twilio has sent its own confirmation: "we don't recommend
		// sending another Message back" (Advanced Opt-Out).
		out.ProviderReplied = true
	}
	return out, nil
}

// optOutWord is the control word for an Advanced Opt-Out type.
func optOutWord(t string) string {
	switch t {
	case "STOP":
		return string(control.Stop)
	case "START":
		return string(control.Start)
	case "HELP":
		return string(control.Help)
	}
	return ""
}

// mediaKind names an attachment by its content type.
func mediaKind(contentType string) string {
	major, minor, _ := strings.Cut(strings.ToLower(contentType), "/")
	switch {
	case major == "image" && minor == "webp":
		return "sticker"
	case major == "image", major == "audio", major == "video":
		return major
	case strings.Contains(minor, "vcard"):
		return "contact"
	}
	return "document"
}

// statusForm is the part of a status callback Passerelle reads.
// https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks
type statusForm struct {
	MessageSid string
	AccountSid string
	Status     string
	ErrorCode  string
	WhatsApp   bool
}

// decodeStatus reads a status callback form.
func decodeStatus(f map[string]string) (statusForm, error) {
	s := statusForm{MessageSid: f["MessageSid"], AccountSid: f["AccountSid"], ErrorCode: f["ErrorCode"]}
	if s.MessageSid == "" {
		s.MessageSid = f["SmsSid"]
	}
	if !sidRE.MatchString(s.MessageSid) {
		return s, fmt.Errorf("%w: MessageSid missing or not a message SID", errMalformed)
	}
	s.Status = strings.ToLower(f["MessageStatus"])
	if s.Status == "" {
		s.Status = strings.ToLower(f["SmsStatus"])
	}
	if strings.EqualFold(f["EventType"], "READ") {
		s.Status = "read"
	}
	if !statusRE.MatchString(s.Status) {
		return s, fmt.Errorf("%w: MessageStatus missing", errMalformed)
	}
	if s.ErrorCode != "" && !errCodeRE.MatchString(s.ErrorCode) {
		return s, fmt.Errorf("%w: ErrorCode %q", errMalformed, s.ErrorCode)
	}
	s.WhatsApp = strings.HasPrefix(f["From"], "whatsapp:") || strings.HasPrefix(f["To"], "whatsapp:") ||
		strings.EqualFold(f["ChannelPrefix"], "whatsapp")
	return s, nil
}

// toDelivery maps the callback to a delivery report.
func (s statusForm) toDelivery() bot.Delivery {
	d := bot.Delivery{Channel: bot.ChannelSMS, ProviderID: s.MessageSid, Status: s.Status, ErrorCode: s.ErrorCode}
	if s.WhatsApp {
		d.Channel = bot.ChannelWhatsApp
	}
	switch s.Status {
	case "failed", "undelivered":
		d.Failed = true
		code, _ := strconv.Atoi(s.ErrorCode)
		d.Kind = errorKind(code)
	}
	return d
}
