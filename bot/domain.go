package bot

import "time"

// Channel names the provider a contact writes from. It is part of the
// contact's identity: the same phone number on SMS and WhatsApp is two
// contacts.
type Channel string

// Channels Passerelle speaks.
const (
	ChannelTelegram Channel = "telegram"
	ChannelSMS      Channel = "sms"
	ChannelWhatsApp Channel = "whatsapp"
	ChannelWeb      Channel = "web"
)

// Surface is how replies are rendered for the person: buttons or numbered
// options, length budget. Real channels have one fixed surface; the web
// simulator lets the tester choose.
type Surface string

// Surfaces a reply can be fitted to.
const (
	SurfaceTelegram Surface = "telegram"
	SurfaceWhatsApp Surface = "whatsapp"
	SurfaceSMS      Surface = "sms"
)

// ParseSurface maps a name to a Surface; unknown names give SurfaceTelegram
// and false.
func ParseSurface(s string) (Surface, bool) {
	switch Surface(s) {
	case SurfaceTelegram, SurfaceWhatsApp, SurfaceSMS:
		return Surface(s), true
	}
	return SurfaceTelegram, false
}

// Inbound is one message from a person, already verified and decoded by its
// channel adapter.
type Inbound struct {
	Channel    Channel
	Surface    Surface   // how replies are rendered; zero = the channel's default
	Address    string    // chat id, phone number or simulator session: personal data
	ProviderID string    // provider's message id, unique per channel (dedupe key)
	Text       string    // what the person wrote (or a caption)
	Payload    string    // button payload, when the person pressed a button
	Campaign   string    // outreach campaign code from a deep link, if any
	LangHint   string    // language asked for by a deep link, if any
	TopicHint  string    // topic asked for by a deep link, if any
	Media      []string  // kinds of attachment the bot cannot read (photo, voice...)
	ReceivedAt time.Time // when the provider received it
	// Profile is the display name the provider gives (WhatsApp ProfileName):
	// personal data, stored sealed like the address and never logged.
	Profile string
	// ProviderReplied says the provider has already answered this message
	// itself (Twilio Advanced Opt-Out answers STOP, START and HELP): the
	// engine records the opt-out or opt-in but sends no reply of its own,
	// so the person does not get two confirmations.
	ProviderReplied bool
}

// Direction tells who wrote a message.
type Direction string

// Message directions.
const (
	FromPerson     Direction = "in"
	FromBot        Direction = "bot"
	FromCaseworker Direction = "caseworker"
)

// Contact is a person on one channel. Address is only filled when it has
// been decrypted for sending; stores keep it sealed.
type Contact struct {
	ID        int64
	Channel   Channel
	Key       string // HMAC of channel + address: the lookup key
	Address   string // decrypted address, empty unless needed
	OptedOut  bool
	Blocked   bool
	CreatedAt time.Time
	LastSeen  time.Time
}

// Conversation is a contact's running exchange with the service: language,
// flow position, and whether a caseworker holds it.
type Conversation struct {
	ID         int64
	ContactID  int64
	Lang       string // chosen or detected language code; empty until known
	LangSet    bool   // the person chose the language explicitly
	Surface    Surface
	Campaign   string
	State      State // flow state and pending options
	Unanswered int   // consecutive questions the bot could not answer
	UpdatedAt  time.Time
}

// State is a conversation's position: the active flow and step, the options
// last offered (so "2" or a button maps back to a choice) and small values a
// flow collected.
type State struct {
	Flow    string            `json:"flow,omitempty"`
	Step    string            `json:"step,omitempty"`
	Vars    map[string]string `json:"vars,omitempty"`
	Options []Option          `json:"options,omitempty"`
	// LastTopic is the topic last answered, for "more" and handoff summaries.
	LastTopic string `json:"last_topic,omitempty"`
	// Pending holds the rest of a long answer for "MORE" on SMS.
	Pending string `json:"pending,omitempty"`
	// MoreShown is set once the full article for LastTopic was sent.
	MoreShown bool `json:"more_shown,omitempty"`
}

// Option is one choice offered to the person: a button on Telegram and
// WhatsApp, a numbered line on SMS. Payload comes back when it is chosen.
type Option struct {
	Label   string `json:"label"`
	Payload string `json:"payload"`
}

// Message is one entry of a conversation's transcript.
type Message struct {
	ID             int64
	ConversationID int64
	Direction      Direction
	Text           string
	Topic          string // topic answered, for bot messages
	CreatedAt      time.Time
}

// HandoffStatus is where a handoff stands.
type HandoffStatus string

// Handoff statuses.
const (
	HandoffWaiting  HandoffStatus = "waiting"
	HandoffAssigned HandoffStatus = "assigned"
	HandoffClosed   HandoffStatus = "closed"
)

// Handoff is a request for a caseworker to take over a conversation.
type Handoff struct {
	ID             int64
	ConversationID int64
	Status         HandoffStatus
	Urgent         bool
	Reason         string // "person", "triage", "topic:<id>", "unanswered"
	Summary        string // what the caseworker sees first
	CaseworkerID   int64
	CreatedAt      time.Time
	ClosedAt       time.Time
}

// Outbound is one reply waiting in, or taken from, the outbox.
type Outbound struct {
	ID             int64
	ContactID      int64
	ConversationID int64
	Channel        Channel
	Surface        Surface
	Address        string // decrypted only when claimed for sending
	Lang           string
	Text           string
	Options        []Option
	Attempts       int
	NotBefore      time.Time
	CreatedAt      time.Time

	// LastInbound is when the contact last wrote (ClaimOutbox fills it): a
	// channel with a reply window (WhatsApp: 24 hours) decides from it
	// whether a free-form message may go.
	LastInbound time.Time
	// WindowClosed is set when the provider refused an earlier attempt as
	// outside its messaging window: send it the way that works outside.
	WindowClosed bool

	// Where the reply stands, as Store.Outbox reports it for the console.
	Status     OutboxStatus
	ProviderID string // provider's id of the last send (or of the template that announced it)
	Delivery   string // provider's latest delivery status: sent, delivered, read, undelivered, failed...
	ErrorCode  string // provider's error code for a failed delivery
	LastError  string // why it failed, waits for a retry, or is held
}

// OutboxStatus is where a reply is in the outbox.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxQueued OutboxStatus = "queued" // waiting for the worker (or a retry)
	OutboxHeld   OutboxStatus = "held"   // waiting for the person to write again (closed window)
	OutboxSent   OutboxStatus = "sent"   // accepted by the provider
	OutboxFailed OutboxStatus = "failed" // given up on
)

// Delivery is a provider's report on a message it accepted earlier (a
// status callback): its status now and, for a failure, the error code and
// what the failure means for the contact.
type Delivery struct {
	Channel    Channel
	ProviderID string
	Status     string // provider's status: queued, sent, delivered, read, undelivered, failed...
	ErrorCode  string // provider's error code, when it gives one
	// Failed is set for a failed or undelivered message; Kind then says
	// what to do: SendOptedOut or SendBlocked mark the contact, SendHeld
	// puts the message back for the closed-window path, others are only
	// recorded.
	Failed bool
	Kind   SendErrorKind
	At     time.Time
}
