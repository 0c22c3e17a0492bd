package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// sender delivers webhooks open-loop, as the providers do: each message
// is queued at its scheduled time whatever happened to the ones before,
// and each provider keeps a bounded number of connections open to each
// replica (Telegram's setWebhook max_connections defaults to 40), so when
// the service is slow, messages wait at the provider, not in ever more
// connections. A request not answered 2xx (or a failed connection) is
// delivered again later, byte for byte (same update_id, same MessageSid),
// to the next replica, until it is acknowledged or the give-up time
// passes.
type sender struct {
	client   *http.Client
	replicas []*replica
	queues   [][2]chan *job // per replica: Telegram, Twilio
	giveUp   atomic.Int64   // unix nanos after which a failing message is dropped
	// replay is the share of acknowledged messages delivered once more,
	// a moment later and to the next replica, as a provider does when the
	// 200 was lost on the way back: the service must ignore them.
	replay  float64
	replays atomic.Int64

	inflight []atomic.Int64 // requests under way, per replica
	started  atomic.Int64   // messages whose first attempt has begun
	acked    atomic.Int64   // messages acknowledged

	mu      sync.Mutex
	lat     []time.Duration // every answered request (any status)
	latOK   []time.Duration // requests answered 2xx
	lag     []time.Duration // first attempt's start minus its scheduled time
	status  map[int]int     // answers by status code
	connErr int             // requests with no answer (refused, reset)
	wg      sync.WaitGroup
}

// delivery is what happened to one message.
type delivery struct {
	Attempts  int
	Acked     bool
	FirstAt   time.Time // first attempt started
	AckedAt   time.Time
	FirstOK   bool // acknowledged on the first attempt
	Scheduled time.Time
}

// job is one message waiting for a connection.
type job struct {
	m      *inbound
	d      *delivery
	rep    int
	replay bool
}

// newSender opens conns connections per provider to each replica; queue
// is how many messages a queue may hold (every message and its replay).
func newSender(replicas []*replica, conns, queue int) *sender {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        4 * conns * len(replicas),
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     30 * time.Second,
	}
	s := &sender{
		client:   &http.Client{Transport: tr, Timeout: 30 * time.Second},
		replicas: replicas, inflight: make([]atomic.Int64, len(replicas)), status: map[int]int{},
	}
	s.giveUp.Store(time.Now().Add(24 * time.Hour).UnixNano())
	for range replicas {
		qs := [2]chan *job{make(chan *job, queue), make(chan *job, queue)}
		s.queues = append(s.queues, qs)
		for _, q := range qs {
			for range conns {
				go s.work(q)
			}
		}
	}
	return s
}

// send queues m, scheduled for at, for replica rep.
func (s *sender) send(m *inbound, d *delivery, at time.Time, rep int) {
	s.wg.Add(1)
	d.Scheduled = at
	s.enqueue(&job{m: m, d: d, rep: rep})
}

func (s *sender) enqueue(j *job) {
	p := 1
	if j.m.Path == telegramPath {
		p = 0
	}
	s.queues[j.rep][p] <- j
}

// work is one provider connection: it delivers queued jobs one by one.
func (s *sender) work(q chan *job) {
	for j := range q {
		if j.replay {
			s.post(j.m, j.rep)
			s.wg.Done()
			continue
		}
		start := time.Now()
		if j.d.Attempts == 0 {
			j.d.FirstAt = start
			s.started.Add(1)
			s.mu.Lock()
			s.lag = append(s.lag, start.Sub(j.d.Scheduled))
			s.mu.Unlock()
		}
		j.d.Attempts++
		next := (j.rep + 1) % len(s.replicas)
		if s.post(j.m, j.rep) {
			j.d.Acked, j.d.AckedAt, j.d.FirstOK = true, time.Now(), j.d.Attempts == 1
			s.acked.Add(1)
			if rand.Float64() < s.replay {
				s.replays.Add(1)
				s.wg.Add(1)
				r := &job{m: j.m, rep: next, replay: true}
				time.AfterFunc(rand.N(time.Second), func() { s.enqueue(r) })
			}
			s.wg.Done()
			continue
		}
		if time.Now().UnixNano() > s.giveUp.Load() {
			s.wg.Done()
			continue
		}
		j.rep = next
		time.AfterFunc(backoff(j.d.Attempts), func() { s.enqueue(j) })
	}
}

// backoff is the wait before redelivery n+1: 0.5 s doubling to 4 s, with
// jitter.
func backoff(n int) time.Duration {
	d := 500 * time.Millisecond << min(n-1, 3)
	return d/2 + rand.N(d/2)
}

// post makes one request; true when it was answered 2xx.
func (s *sender) post(m *inbound, rep int) bool {
	s.inflight[rep].Add(1)
	defer s.inflight[rep].Add(-1)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.replicas[rep].URL+m.Path, bytes.NewReader(m.Body))
	if err != nil {
		return false
	}
	for k, v := range m.Header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		s.mu.Lock()
		s.connErr++
		s.mu.Unlock()
		return false
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	ok := err == nil && resp.StatusCode/100 == 2
	s.mu.Lock()
	s.status[resp.StatusCode]++
	if err == nil {
		s.lat = append(s.lat, took)
		if ok {
			s.latOK = append(s.latOK, took)
		}
	} else {
		s.connErr++
	}
	s.mu.Unlock()
	return ok
}

// wait blocks until every message is acknowledged or given up, then
// closes the connections' queues.
func (s *sender) wait() {
	s.wg.Wait()
	for _, qs := range s.queues {
		close(qs[0])
		close(qs[1])
	}
}
