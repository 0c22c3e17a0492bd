package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	twapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// apiClient is the twilio-go BaseClient the Messages API calls go
// through. twilio-go's own client always calls api.twilio.com, with no
// context and without the response headers of an error; this one sends
// the same requests to the configured base URL, within ctx, and keeps the
// HTTP status and Retry-After of a failure in an *apiError.
type apiClient struct {
	ctx        context.Context
	base       *url.URL
	sid, token string
	http       *http.Client
}

var _ twclient.BaseClient = (*apiClient)(nil)

func (a *apiClient) AccountSid() string         { return a.sid }
func (a *apiClient) SetTimeout(d time.Duration) {}
func (a *apiClient) SetOauth(twclient.OAuth)    {}
func (a *apiClient) OAuth() twclient.OAuth      { return nil }

// newAPI is twilio-go's Messages API service for one call within ctx.
func newAPI(ctx context.Context, c *Channel) *twapi.ApiService {
	return twapi.NewApiServiceWithClient(&apiClient{
		ctx: ctx, base: c.api, sid: c.cfg.AccountSID, token: c.cfg.AuthToken, http: c.cfg.HTTPClient,
	})
}

// target moves u (a URL on api.twilio.com) to the configured base URL.
func (a *apiClient) target(u *url.URL) *url.URL {
	t := *a.base
	t.Path = strings.TrimRight(a.base.Path, "/") + u.Path
	t.RawPath = ""
	t.RawQuery = u.RawQuery
	return &t
}

// maxErrorBody bounds what is read of an error response.
const maxErrorBody = 64 << 10

// SendRequest sends one API request (twilio-go builds rawURL on
// api.twilio.com; only its path and query are kept).
func (a *apiClient) SendRequest(method, rawURL string, data url.Values, headers map[string]any, body ...byte) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		rd = strings.NewReader(data.Encode())
	} else if len(data) > 0 {
		u.RawQuery = data.Encode()
	}
	req, err := http.NewRequestWithContext(a.ctx, method, a.target(u).String(), rd)
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, fmt.Sprint(v))
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "passerelle twilio-go/"+twclient.LibraryVersion)
	req.SetBasicAuth(a.sid, a.token)
	res, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return res, nil
	}
	defer res.Body.Close()
	e := &apiError{HTTPStatus: res.StatusCode, RetryAfter: retryAfter(res.Header.Get("Retry-After"), time.Now())}
	raw, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	if json.Unmarshal(raw, &e.Rest) != nil || e.Rest.Code == 0 && e.Rest.Message == "" {
		e.Rest = twclient.TwilioRestError{Status: res.StatusCode, Message: http.StatusText(res.StatusCode)}
	}
	return nil, e
}

// apiError is a failed API call: Twilio's error document (code, message,
// more_info, status) with the HTTP status and Retry-After hint.
type apiError struct {
	HTTPStatus int
	RetryAfter time.Duration
	Rest       twclient.TwilioRestError
}

func (e *apiError) Error() string {
	return fmt.Sprintf("twilio API: HTTP %d, error %d: %s", e.HTTPStatus, e.Rest.Code, redact(e.Rest.Message))
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return min(time.Duration(s)*time.Second, time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), time.Hour)
	}
	return 0
}

// codeOf returns the Twilio error code and HTTP status of err, if it is
// an API error.
func codeOf(err error) (code, status int, ok bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Rest.Code, ae.HTTPStatus, true
	}
	var re *twclient.TwilioRestError
	if errors.As(err, &re) {
		return re.Code, re.Status, true
	}
	return 0, 0, false
}

// limiter spaces calls at least every apart: at most 1/every calls a
// second, with no burst.
type limiter struct {
	mu    sync.Mutex
	next  time.Time
	every time.Duration
}

// wait blocks until the caller's turn, or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.every)
	l.mu.Unlock()
	d := at.Sub(now)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// limiterFor is the limiter of sender from.
func (c *Channel) limiterFor(from string) *limiter {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.limiters[from]
	if !ok {
		l = &limiter{every: time.Duration(float64(time.Second) / c.cfg.Rate)}
		c.limiters[from] = l
	}
	return l
}
