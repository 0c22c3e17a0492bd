package telegram

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// SecretHeader carries the webhook's secret_token on every request.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookPath is where Telegram POSTs updates.
const WebhookPath = "/webhooks/telegram"

// maxBody bounds an update: real ones are a few kilobytes.
const maxBody = 1 << 20

// Routes registers the webhook.
func (c *Channel) Routes(mux *http.ServeMux) {
	mux.Handle("POST "+WebhookPath, c)
}

// ServeHTTP is the webhook: verify the secret token, decode the update,
// handle it. 401: missing or wrong token, nothing read. 400: not an
// update. 200: handled or ignored; a button press is answered in the
// response body (answerCallbackQuery), which Telegram carries out. 500:
// not recorded, Telegram will send it again.
func (c *Channel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !c.authentic(r.Header.Get(SecretHeader)) {
		c.log.Warn("telegram webhook request rejected: missing or wrong secret token")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	u, err := decodeUpdate(body)
	if err != nil {
		c.log.Warn("telegram webhook: malformed update", "bytes", len(body))
		http.Error(w, "malformed update", http.StatusBadRequest)
		return
	}
	callback, err := c.process(r.Context(), u)
	if err != nil {
		c.log.Error("telegram update not handled; Telegram will retry", "update", u.UpdateID, "err", err)
		http.Error(w, "not handled, please retry", http.StatusInternalServerError)
		return
	}
	if callback == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"method": "answerCallbackQuery", "callback_query_id": callback})
}

// authentic compares the header with the secret in constant time (both
// hashed, so the length does not leak either). No configured secret
// accepts nothing.
func (c *Channel) authentic(got string) bool {
	if c.cfg.WebhookSecret == "" || got == "" {
		return false
	}
	h := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(h[:], c.secret[:]) == 1
}
