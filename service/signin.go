package service

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Failed sign-in delays: the first failure from a client waits
// signinBaseDelay, each further one twice as long up to signinMaxDelay; a
// client that has not failed for signinForget starts again from the base.
const (
	signinBaseDelay = 100 * time.Millisecond
	signinMaxDelay  = 5 * time.Second
	signinForget    = 10 * time.Minute
	signinClients   = 10000 // clients remembered at once; more forget the oldest
)

// signinThrottle slows down clients that keep sending a wrong token: each
// waits on its own failures, so one guessing client holds up nobody else.
type signinThrottle struct {
	mu      sync.Mutex
	clients map[string]*signinFailures
}

type signinFailures struct {
	n    int
	last time.Time
}

// failed notes a failed sign-in from client at now and returns how long to
// wait before answering it.
func (t *signinThrottle) failed(client string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.clients == nil {
		t.clients = map[string]*signinFailures{}
	}
	c := t.clients[client]
	if c == nil || now.Sub(c.last) > signinForget {
		if len(t.clients) >= signinClients {
			t.forgetOldest()
		}
		c = &signinFailures{}
		t.clients[client] = c
	}
	c.n++
	c.last = now
	d := signinBaseDelay
	for i := 1; i < c.n && d < signinMaxDelay; i++ {
		d *= 2
	}
	return min(d, signinMaxDelay)
}

// succeeded forgets client's failures.
func (t *signinThrottle) succeeded(client string) {
	t.mu.Lock()
	delete(t.clients, client)
	t.mu.Unlock()
}

func (t *signinThrottle) forgetOldest() {
	var oldest string
	var at time.Time
	for k, c := range t.clients {
		if oldest == "" || c.last.Before(at) {
			oldest, at = k, c.last
		}
	}
	delete(t.clients, oldest)
}

// clientHost is the address a request came from, without its port.
func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
