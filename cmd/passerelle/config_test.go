package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.RetentionDays != 30 || c.DatabaseURL != "" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestConfigFileThenEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passerelle.yaml")
	os.WriteFile(path, []byte("addr: 127.0.0.1:9000\nretention_days: 10\ndata_dir: /tmp/x\n"), 0o600)
	c, err := loadConfig(path, env(map[string]string{"PASSERELLE_RETENTION_DAYS": "20"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.RetentionDays != 20 || c.DataDir != "/tmp/x" {
		t.Fatalf("file then env: %+v", c)
	}
}

func TestConfigUnknownFileKeyFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passerelle.yaml")
	os.WriteFile(path, []byte("adress: :80\n"), 0o600)
	if _, err := loadConfig(path, env(nil)); err == nil || !strings.Contains(err.Error(), "adress") {
		t.Fatalf("want an error naming the unknown key, got %v", err)
	}
}

func TestConfigInvalidValuesNameTheKey(t *testing.T) {
	for key, val := range map[string]string{
		"PASSERELLE_ADDR":                    "8080",
		"PASSERELLE_PUBLIC_URL":              "ftp://example.org",
		"PASSERELLE_RETENTION_DAYS":          "0",
		"PASSERELLE_SECRET_KEY":              "tooshort",
		"PASSERELLE_TELEGRAM_TOKEN":          "nope",
		"PASSERELLE_TELEGRAM_WEBHOOK_SECRET": "has spaces",
		"PASSERELLE_TWILIO_ACCOUNT_SID":      "AC123",
		"PASSERELLE_TWILIO_SMS_FROM":         "0612345678",
		"PASSERELLE_TWILIO_WHATSAPP_FROM":    "whatsapp:06",
		"PASSERELLE_MEILI_URL":               "localhost:7700",
		"PASSERELLE_ANSWER_THRESHOLD":        "1.5",
		"PASSERELLE_LOG_LEVEL":               "loud",
		"PASSERELLE_DATABASE_URL":            "mysql://localhost/passerelle",
	} {
		_, err := loadConfig("", env(map[string]string{key: val}))
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%q: want an error naming the key, got %v", key, val, err)
		}
	}
	if _, err := loadConfig("", env(map[string]string{"PASSERELLE_RETENTION_DAYS": "ten"})); err == nil ||
		!strings.Contains(err.Error(), "PASSERELLE_RETENTION_DAYS") {
		t.Errorf("non-number: %v", err)
	}
}

func TestConfigDatabaseURL(t *testing.T) {
	key := strings.Repeat("ab", 32)
	c, err := loadConfig("", env(map[string]string{"PASSERELLE_DATABASE_URL": "postgres://passerelle:pw@db:5432/passerelle?sslmode=require",
		"PASSERELLE_SECRET_KEY": key}))
	if err != nil || c.DatabaseURL == "" {
		t.Fatalf("a postgres URL with a secret key: %v", err)
	}
	// Replicas need one shared key: a generated one is refused.
	_, err = loadConfig("", env(map[string]string{"PASSERELLE_DATABASE_URL": "postgres://db/passerelle"}))
	if err == nil || !strings.Contains(err.Error(), "PASSERELLE_SECRET_KEY") {
		t.Errorf("postgres without a secret key: %v", err)
	}
	// A bad URL is named, its password never repeated.
	_, err = loadConfig("", env(map[string]string{"PASSERELLE_DATABASE_URL": "postgres://u:hunter2@db:port/x", "PASSERELLE_SECRET_KEY": key}))
	if err == nil || !strings.Contains(err.Error(), "PASSERELLE_DATABASE_URL") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad postgres URL: %v", err)
	}
}

func TestConfigSecretFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	tok := "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
	os.WriteFile(path, []byte(tok+"\n"), 0o600)
	c, err := loadConfig("", env(map[string]string{"PASSERELLE_TELEGRAM_TOKEN_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramToken != tok {
		t.Fatalf("token from file: %q", c.TelegramToken)
	}
}

func TestSecretKeyGeneratedOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	c, _ := loadConfig("", env(map[string]string{"PASSERELLE_DATA_DIR": dir}))
	k1, err := c.secretKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := c.secretKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != 32 || !bytes.Equal(k1, k2) {
		t.Fatalf("key not kept across starts: %x vs %x", k1, k2)
	}
	st, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key mode %v, want 0600", st.Mode().Perm())
	}
}

// TestExampleConfigLoads: deploy/passerelle.example.yaml is a valid
// configuration (known keys, valid values).
func TestExampleConfigLoads(t *testing.T) {
	cfg, err := loadConfig("../../deploy/passerelle.example.yaml", env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/var/lib/passerelle" || cfg.CaseworkerHours == "" {
		t.Fatalf("example config not applied: %+v", cfg.DataDir)
	}
}
