package twilio

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/bot"
)

// FuzzForm feeds arbitrary bodies to the form decoder and the mapping to
// bot.Inbound and bot.Delivery: nothing panics, and whatever is accepted is
// well formed (a message SID, an address that fits the channel, valid
// UTF-8, no campaign code left in the text).
func FuzzForm(f *testing.F) {
	seeds := []url.Values{
		{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "From": {"+33639980001"}, "Body": {"hello"}, "NumMedia": {"0"}},
		{"MessageSid": {"MM0123456789abcdef0123456789abcdef"}, "From": {"whatsapp:+33639980001"}, "WaId": {"33639980001"},
			"ProfileName": {"Amal"}, "NumMedia": {"2"}, "MediaContentType0": {"image/jpeg"}, "MediaContentType1": {"audio/ogg"}},
		{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "From": {"whatsapp:+33639980001"}, "Latitude": {"48.85"}, "Longitude": {"2.35"}},
		{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "From": {"+33639980001"}, "Body": {"START #calais3-ti--return_allowance"}},
		{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "From": {"+33639980001"}, "Body": {"arrêt"}, "OptOutType": {"STOP"}},
		{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "MessageStatus": {"undelivered"}, "ErrorCode": {"21610"}},
		{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "MessageStatus": {"read"}, "EventType": {"READ"}, "From": {"whatsapp:+1"}},
	}
	for _, s := range seeds {
		f.Add(s.Encode())
	}
	f.Add("Body=%zz")
	f.Add("a=1&a=2")
	f.Add("Body=%ff")
	f.Add(";;;&&&===")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := parseForm([]byte(body))
		if err != nil {
			return
		}
		for k, v := range form {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 accepted: %q=%q", k, v)
			}
		}
		if msg, err := decodeInbound(form); err == nil {
			if !sidRE.MatchString(msg.MessageSid) || msg.NumMedia > maxMedia {
				t.Fatalf("accepted %+v", msg)
			}
			for _, ch := range []bot.Channel{bot.ChannelSMS, bot.ChannelWhatsApp} {
				in, err := msg.toInbound(ch)
				if err != nil {
					continue
				}
				if in.Address == "" || strings.HasPrefix(in.Address, "whatsapp:") || in.ProviderID != msg.MessageSid || in.Channel != ch {
					t.Fatalf("%s: mapped to %+v", ch, in)
				}
				if in.Campaign != "" && in.Text != "START" {
					t.Fatalf("campaign %q left text %q", in.Campaign, in.Text)
				}
				if len(in.Media) < msg.NumMedia {
					t.Fatalf("%d media, %d kinds", msg.NumMedia, len(in.Media))
				}
			}
		}
		if st, err := decodeStatus(form); err == nil {
			d := st.toDelivery()
			if d.ProviderID == "" || d.Status == "" || d.Failed != (d.Status == "failed" || d.Status == "undelivered") {
				t.Fatalf("delivery %+v", d)
			}
		}
	})
}
