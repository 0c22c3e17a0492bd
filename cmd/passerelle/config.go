package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/passerelle-org/passerelle/bot/postgres"
)

// Config is Passerelle's whole configuration: defaults, then the optional
// YAML file (--config), then PASSERELLE_* environment variables, validated
// once at start. Each field's env tag names its variable; secrets may also
// be read from the file named by the variable with a _FILE suffix.
type Config struct {
	Addr                  string  `yaml:"addr" env:"PASSERELLE_ADDR" doc:"HTTP listen address"`
	PublicURL             string  `yaml:"public_url" env:"PASSERELLE_PUBLIC_URL" doc:"public https base URL (webhooks); empty = none"`
	DataDir               string  `yaml:"data_dir" env:"PASSERELLE_DATA_DIR" doc:"where SQLite and the generated secret key live"`
	DatabaseURL           string  `yaml:"database_url" env:"PASSERELLE_DATABASE_URL" secret:"true" doc:"postgres:// URL; empty = SQLite in the data dir"`
	SecretKey             string  `yaml:"secret_key" env:"PASSERELLE_SECRET_KEY" secret:"true" doc:"32+ bytes, hex or base64; generated into the data dir when empty"`
	TelegramToken         string  `yaml:"telegram_token" env:"PASSERELLE_TELEGRAM_TOKEN" secret:"true" doc:"Telegram bot token"`
	TelegramWebhookSecret string  `yaml:"telegram_webhook_secret" env:"PASSERELLE_TELEGRAM_WEBHOOK_SECRET" secret:"true" doc:"secret_token for the Telegram webhook"`
	TelegramAPIURL        string  `yaml:"telegram_api_url" env:"PASSERELLE_TELEGRAM_API_URL" doc:"Bot API base URL"`
	TelegramRate          float64 `yaml:"telegram_rate" env:"PASSERELLE_TELEGRAM_RATE" doc:"most messages a second from the Telegram bot, all replicas together (0 = 30)"`
	SendConcurrency       int     `yaml:"send_concurrency" env:"PASSERELLE_SEND_CONCURRENCY" doc:"replies each replica sends at once (0 = 16)"`
	TwilioAccountSID      string  `yaml:"twilio_account_sid" env:"PASSERELLE_TWILIO_ACCOUNT_SID" doc:"Twilio account SID (AC...)"`
	TwilioAuthToken       string  `yaml:"twilio_auth_token" env:"PASSERELLE_TWILIO_AUTH_TOKEN" secret:"true" doc:"Twilio auth token"`
	TwilioAPIURL          string  `yaml:"twilio_api_url" env:"PASSERELLE_TWILIO_API_URL" doc:"Twilio API base URL"`
	TwilioSMSFrom         string  `yaml:"twilio_sms_from" env:"PASSERELLE_TWILIO_SMS_FROM" doc:"sender number for SMS (E.164)"`
	TwilioWhatsAppFrom    string  `yaml:"twilio_whatsapp_from" env:"PASSERELLE_TWILIO_WHATSAPP_FROM" doc:"sender for WhatsApp (whatsapp:+...)"`
	TwilioRate            float64 `yaml:"twilio_rate" env:"PASSERELLE_TWILIO_RATE" doc:"most messages a second from each Twilio sender (0 = 10)"`
	TwilioTemplates       string  `yaml:"twilio_whatsapp_templates" env:"PASSERELLE_TWILIO_WHATSAPP_TEMPLATES" doc:"lang=ContentSid,...: approved WhatsApp templates saying a reply is waiting"`
	TwilioTemplateLang    string  `yaml:"twilio_template_fallback" env:"PASSERELLE_TWILIO_TEMPLATE_FALLBACK" doc:"language whose template is used for a language without one (empty = en)"`
	MeiliURL              string  `yaml:"meili_url" env:"PASSERELLE_MEILI_URL" doc:"Meilisearch URL; empty = embedded index"`
	MeiliAPIKey           string  `yaml:"meili_api_key" env:"PASSERELLE_MEILI_API_KEY" secret:"true" doc:"Meilisearch API key"`
	RetentionDays         int     `yaml:"retention_days" env:"PASSERELLE_RETENTION_DAYS" doc:"days messages are kept"`
	DebugAddr             string  `yaml:"debug_addr" env:"PASSERELLE_DEBUG_ADDR" doc:"listen address for Go's profiler (/debug/pprof/), e.g. 127.0.0.1:6060; empty = off"`
	ShutdownDelay         float64 `yaml:"shutdown_delay" env:"PASSERELLE_SHUTDOWN_DELAY" doc:"seconds /readyz answers 503 after SIGTERM before new connections are refused, so a load balancer stops routing first (0 = none)"`
	KBDir                 string  `yaml:"kb_dir" env:"PASSERELLE_KB_DIR" doc:"articles folder; empty = the embedded articles"`
	AnswerThreshold       float64 `yaml:"answer_threshold" env:"PASSERELLE_ANSWER_THRESHOLD" doc:"confidence below which the bot abstains (0-1)"`
	LogLevel              string  `yaml:"log_level" env:"PASSERELLE_LOG_LEVEL" doc:"debug, info, warn or error"`
	CaseworkerHours       string  `yaml:"caseworker_hours" env:"PASSERELLE_CASEWORKER_HOURS" doc:"when caseworkers answer, e.g. \"mon-fri 09:00-18:00\"; empty = always"`
	CaseworkerTimezone    string  `yaml:"caseworker_timezone" env:"PASSERELLE_CASEWORKER_TIMEZONE" doc:"time zone of the caseworker hours"`
	CaseworkerChat        string  `yaml:"caseworker_telegram_chat" env:"PASSERELLE_CASEWORKER_TELEGRAM_CHAT" doc:"Telegram chat id of the caseworkers' group for new-handoff alerts; empty = none"`
}

// defaultConfig holds the embedded defaults: no accounts, no servers.
func defaultConfig() Config {
	return Config{
		Addr:           ":8080",
		DataDir:        "./data",
		TelegramAPIURL: "https://api.telegram.org",
		TwilioAPIURL:   "https://api.twilio.com",
		RetentionDays:  30,
		LogLevel:       "info",

		CaseworkerTimezone: "Europe/Paris",
	}
}

// loadConfig applies the YAML file (if path is set) and the environment
// (getenv) over the defaults, then validates.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	c := defaultConfig()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config file: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return c, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	v := reflect.ValueOf(&c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		name := f.Tag.Get("env")
		val, set := getenv(name), getenv(name) != ""
		if f.Tag.Get("secret") == "true" && !set {
			if file := getenv(name + "_FILE"); file != "" {
				data, err := os.ReadFile(file)
				if err != nil {
					return c, fmt.Errorf("%s_FILE: %w", name, err)
				}
				val, set = strings.TrimSpace(string(data)), true
			}
		}
		if !set {
			continue
		}
		switch f.Type.Kind() {
		case reflect.String:
			v.Field(i).SetString(val)
		case reflect.Int:
			n, err := strconv.Atoi(val)
			if err != nil {
				return c, fmt.Errorf("%s: %q is not a whole number", name, val)
			}
			v.Field(i).SetInt(int64(n))
		case reflect.Float64:
			x, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return c, fmt.Errorf("%s: %q is not a number", name, val)
			}
			v.Field(i).SetFloat(x)
		}
	}
	return c, c.validate()
}

var (
	telegramTokenRE = regexp.MustCompile(`^[0-9]{3,}:[A-Za-z0-9_-]{30,}$`)
	webhookSecretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	twilioSIDRE     = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	e164RE          = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// validate checks every value; the error names the variable.
func (c Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("PASSERELLE_ADDR: %q is not host:port", c.Addr)
	}
	if c.DebugAddr != "" {
		if _, _, err := net.SplitHostPort(c.DebugAddr); err != nil {
			return fmt.Errorf("PASSERELLE_DEBUG_ADDR: %q is not host:port", c.DebugAddr)
		}
	}
	for _, u := range []struct{ key, val string }{
		{"PASSERELLE_PUBLIC_URL", c.PublicURL}, {"PASSERELLE_TELEGRAM_API_URL", c.TelegramAPIURL},
		{"PASSERELLE_TWILIO_API_URL", c.TwilioAPIURL}, {"PASSERELLE_MEILI_URL", c.MeiliURL},
	} {
		if u.val == "" {
			continue
		}
		p, err := url.Parse(u.val)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("%s: %q is not an http(s) URL", u.key, u.val)
		}
	}
	if c.DataDir == "" {
		return errors.New("PASSERELLE_DATA_DIR: must not be empty")
	}
	if c.DatabaseURL != "" {
		// The value may hold a password: the message never repeats it.
		if err := postgres.CheckURL(c.DatabaseURL); err != nil {
			return fmt.Errorf("PASSERELLE_DATABASE_URL: %w", err)
		}
		// Replicas must share one key, and a key generated into one
		// machine's data dir would be lost with that machine.
		if c.SecretKey == "" {
			return errors.New("PASSERELLE_SECRET_KEY: required with PASSERELLE_DATABASE_URL (every replica needs the same key)")
		}
	}
	if c.SecretKey != "" {
		if _, err := decodeSecret(c.SecretKey); err != nil {
			return fmt.Errorf("PASSERELLE_SECRET_KEY: %w", err)
		}
	}
	if c.TelegramToken != "" && !telegramTokenRE.MatchString(c.TelegramToken) {
		return errors.New("PASSERELLE_TELEGRAM_TOKEN: not a bot token (digits:letters, as BotFather gives it)")
	}
	if c.TelegramWebhookSecret != "" && !webhookSecretRE.MatchString(c.TelegramWebhookSecret) {
		return errors.New("PASSERELLE_TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -")
	}
	if c.TwilioAccountSID != "" && !twilioSIDRE.MatchString(c.TwilioAccountSID) {
		return errors.New("PASSERELLE_TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits")
	}
	if c.TwilioSMSFrom != "" && !e164RE.MatchString(c.TwilioSMSFrom) {
		return errors.New("PASSERELLE_TWILIO_SMS_FROM: must be an E.164 number such as +33612345678")
	}
	if c.TwilioWhatsAppFrom != "" && !e164RE.MatchString(strings.TrimPrefix(c.TwilioWhatsAppFrom, "whatsapp:")) {
		return errors.New("PASSERELLE_TWILIO_WHATSAPP_FROM: must be whatsapp:+<E.164 number>")
	}
	if err := c.validateTwilio(); err != nil {
		return err
	}
	if c.ShutdownDelay < 0 || c.ShutdownDelay > 300 {
		return fmt.Errorf("PASSERELLE_SHUTDOWN_DELAY: %g is not between 0 and 300 seconds", c.ShutdownDelay)
	}
	if c.TelegramRate < 0 || c.TelegramRate > 10000 {
		return fmt.Errorf("PASSERELLE_TELEGRAM_RATE: %v is not between 0 (default) and 10000 messages a second", c.TelegramRate)
	}
	if c.SendConcurrency < 0 || c.SendConcurrency > 1024 {
		return fmt.Errorf("PASSERELLE_SEND_CONCURRENCY: %d is not between 0 (default) and 1024", c.SendConcurrency)
	}
	if c.RetentionDays < 1 || c.RetentionDays > 3650 {
		return fmt.Errorf("PASSERELLE_RETENTION_DAYS: %d is not between 1 and 3650", c.RetentionDays)
	}
	if c.AnswerThreshold < 0 || c.AnswerThreshold > 1 {
		return fmt.Errorf("PASSERELLE_ANSWER_THRESHOLD: %v is not between 0 and 1", c.AnswerThreshold)
	}
	if _, err := strconv.ParseInt(c.CaseworkerChat, 10, 64); c.CaseworkerChat != "" && err != nil {
		return errors.New("PASSERELLE_CASEWORKER_TELEGRAM_CHAT: must be a Telegram chat id such as -1001234567890")
	}
	if _, err := c.workingHours(); err != nil {
		return err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("PASSERELLE_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// decodeSecret reads a hex or base64 secret of at least 32 bytes.
func decodeSecret(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) >= 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) >= 32 {
			return b, nil
		}
	}
	return nil, errors.New("must be at least 32 bytes, hex or base64 encoded")
}

// secretKey returns the configured key, or the one kept in the data dir,
// generating it there (mode 0600) on first start so restarts keep
// decrypting.
func (c Config) secretKey() ([]byte, error) {
	if c.SecretKey != "" {
		return decodeSecret(c.SecretKey)
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if data, err := os.ReadFile(path); err == nil {
		b, err := decodeSecret(strings.TrimSpace(string(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("PASSERELLE_DATA_DIR: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(b) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return b, f.Close()
}
