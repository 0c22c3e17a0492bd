package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/passerelle-org/passerelle/bot"
)

// CookieName is the session cookie.
const CookieName = "passerelle_console"

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// MinPasswordLen is the shortest password accepted for an account.
const MinPasswordLen = 12

// HashPassword returns the bcrypt hash of a password for a new account.
func HashPassword(password string) ([]byte, error) {
	if len(password) < MinPasswordLen {
		return nil, errors.New("password too short: at least 12 characters")
	}
	return bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
}

// GeneratePassword returns a random password (18 bytes, base64url).
func GeneratePassword() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// dummyHash is compared when the email is unknown, so a wrong email takes
// as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("passerelle-no-such-account"), bcrypt.DefaultCost)

type ctxKey struct{}

// caseworker returns the logged-in caseworker of a request behind auth.
func caseworker(r *http.Request) bot.Caseworker {
	cw, _ := r.Context().Value(ctxKey{}).(bot.Caseworker)
	return cw
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// auth lets a request through only with a valid session; pages redirect to
// the login, everything else gets 401.
func (c *Console) auth(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(CookieName)
		if err == nil && ck.Value != "" {
			cw, err := c.store.SessionCaseworker(r.Context(), tokenHash(ck.Value), c.clock())
			if err == nil {
				next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, cw)))
				return
			}
			if !errors.Is(err, bot.ErrNotFound) {
				c.fail(w, r, err)
				return
			}
		}
		if r.Method == http.MethodGet && r.URL.Path != "/console/events" {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		c.error(w, r, "console.error.login_first", http.StatusUnauthorized)
	})
}

type loginData struct {
	page
	Email, Error string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, http.StatusOK, "login.html", loginData{page: c.page(r, "console.login.submit")})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	now := c.clock()
	keys := []string{"email:" + email, "ip:" + clientIP(r)}
	allowed, err := c.allowLogin(r.Context(), now, keys)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if !allowed {
		c.log.Warn("console login rate-limited")
		c.render(w, http.StatusTooManyRequests, "login.html",
			loginData{page: c.page(r, "console.login.submit"), Email: email, Error: c.printer(r).T("console.login.rate_limited", nil)})
		return
	}
	cw, err := c.store.CaseworkerByEmail(r.Context(), email)
	hash := dummyHash
	if err == nil {
		hash = cw.PasswordHash
	} else if !errors.Is(err, bot.ErrNotFound) {
		c.fail(w, r, err)
		return
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil || cw.Disabled {
		c.limiter.fail(now, keys...)
		c.render(w, http.StatusUnauthorized, "login.html", loginData{page: c.page(r, "console.login.submit"), Email: email,
			Error: c.printer(r).T("console.login.wrong", nil)})
		return
	}
	c.limiter.reset("email:" + email)
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	if err := c.store.CreateSession(r.Context(), bot.Session{TokenHash: tokenHash(token), CaseworkerID: cw.ID,
		CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, cw.ID, "login", 0, "")
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/console/", MaxAge: int(SessionTTL.Seconds()),
		HttpOnly: true, Secure: !c.insecure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(CookieName); err == nil {
		if err := c.store.DeleteSession(r.Context(), tokenHash(ck.Value)); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	c.audit(r, caseworker(r).ID, "logout", 0, "")
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/console/", MaxAge: -1,
		HttpOnly: true, Secure: !c.insecure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// audit records an action; a failure is logged, not shown.
func (c *Console) audit(r *http.Request, caseworkerID int64, action string, conversationID int64, detail string) {
	err := c.store.Audit(r.Context(), bot.AuditEntry{CaseworkerID: caseworkerID, Action: action,
		ConversationID: conversationID, Detail: detail, At: c.clock()})
	if err != nil {
		c.log.Error("console audit failed", "action", action, "err", err)
	}
}

// rateSlots is the store's shared rate limiter (bot.Store.ReserveSends):
// the login limit is then counted in the database, for every replica
// together.
type rateSlots interface {
	ReserveSends(ctx context.Context, key string, n int, r bot.Rate, now time.Time, maxWait time.Duration) (time.Duration, bool, error)
}

// Login attempts allowed, counted in the database when the store keeps
// rate slots: 5 in a row per email then one every 3 minutes, 20 per
// address then one every 45 seconds (an office behind one address has
// several caseworkers). Every attempt counts, the right password too: a
// slot cannot be given back.
var (
	loginPerEmail = bot.Rate{Every: 3 * time.Minute, Burst: 5}
	loginPerAddr  = bot.Rate{Every: 45 * time.Second, Burst: 20}
)

// allowLogin books one attempt under each key ("email:..." and "ip:...")
// and tells whether all had room. With a store that keeps rate slots the
// count is shared by every replica, under a hash of the key (no email or
// address is written); otherwise the in-process limiter counts failures.
func (c *Console) allowLogin(ctx context.Context, now time.Time, keys []string) (bool, error) {
	slots, ok := c.store.(rateSlots)
	if !ok {
		return c.limiter.allow(now, keys...), nil
	}
	for _, k := range keys {
		rate := loginPerEmail
		if strings.HasPrefix(k, "ip:") {
			rate = loginPerAddr
		}
		sum := sha256.Sum256([]byte(k))
		_, ok, err := slots.ReserveSends(ctx, "login:"+hex.EncodeToString(sum[:16]), 1, rate, now, 0)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// limiter counts failed logins per key in a sliding window, in this
// process only: it serves a store without rate slots.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

func (l *limiter) recent(now time.Time, key string) []time.Time {
	ts := l.fails[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = ts
	}
	return ts
}

func (l *limiter) allow(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		max := l.max
		if strings.HasPrefix(k, "ip:") {
			max *= 4 // an office behind one address has several caseworkers
		}
		if len(l.recent(now, k)) >= max {
			return false
		}
	}
	return true
}

func (l *limiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.fails[k] = append(l.recent(now, k), now)
	}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
