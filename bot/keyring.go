package bot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Keyring turns a deployment's secret into the two keys that protect
// personal data at rest: an HMAC key that makes a stable, unreadable lookup
// key from channel + address, and an AES-256-GCM key that seals the address
// itself so it can be decrypted only to send.
type Keyring struct {
	lookup []byte
	aead   cipher.AEAD
}

// NewKeyring derives the keys from secret, which must be at least 32 bytes.
func NewKeyring(secret []byte) (*Keyring, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("secret key: need at least 32 bytes, got %d", len(secret))
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("passerelle/" + label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("seal"))
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Keyring{lookup: derive("lookup"), aead: aead}, nil
}

// LookupKey is the hex HMAC-SHA256 of channel and address: equal inputs give
// equal keys, and the key reveals nothing of the address.
func (k *Keyring) LookupKey(ch Channel, address string) string {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(ch))
	m.Write([]byte{0})
	m.Write([]byte(address))
	return hex.EncodeToString(m.Sum(nil))
}

// Seal encrypts plaintext with a random nonce; the nonce is prefixed.
func (k *Keyring) Seal(plaintext []byte) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return k.aead.Seal(nonce, nonce, plaintext, nil), nil
}

// Open decrypts what Seal produced.
func (k *Keyring) Open(sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("open: sealed value too short")
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	return out, nil
}
