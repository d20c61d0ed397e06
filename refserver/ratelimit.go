package refserver

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter rate-limits login attempts per client address. It sits in
// front of the per-identity lockout of package channel: the lockout stops
// guessing one user's password, this stops one address from trying many
// users' passwords (and from spending the server's CPU on argon2).
type loginLimiter struct {
	mu      sync.Mutex
	perAddr map[string]*addrLimiter
	every   time.Duration
	burst   int
}

type addrLimiter struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

// newLoginLimiter allows burst attempts at once per address, refilled one
// every interval.
func newLoginLimiter(every time.Duration, burst int) *loginLimiter {
	return &loginLimiter{perAddr: map[string]*addrLimiter{}, every: every, burst: burst}
}

func (l *loginLimiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.perAddr[addr]
	if !ok {
		if len(l.perAddr) > 100_000 {
			l.evict(now)
		}
		a = &addrLimiter{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.perAddr[addr] = a
	}
	a.lastSeen = now
	return a.lim.AllowN(now, 1)
}

// evict forgets addresses idle long enough to have a full bucket again.
func (l *loginLimiter) evict(now time.Time) {
	idle := l.every * time.Duration(l.burst)
	for k, a := range l.perAddr {
		if now.Sub(a.lastSeen) > idle {
			delete(l.perAddr, k)
		}
	}
}

// clientAddr is the connection's remote host. Forwarded headers are not
// trusted: a reverse proxy that sets them is a deployment choice to make
// explicitly, not a default that lets clients pick their own address.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type clientAddrKey struct{}

// withClientAddr returns ctx knowing the client's address, by which logins
// are rate-limited.
func withClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// clientAddrOf is the client address ctx knows, or "".
func clientAddrOf(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}
