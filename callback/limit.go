package callback

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults for the receiver's connection caps. Each open connection is a
// file and some memory until its timeouts end it; three slow senders once
// held 20,000 of them.
const (
	DefaultMaxConns        = 128 // open at once, all senders together
	DefaultMaxConnsPerAddr = 64  // open at once from one IP address
	// maxRefusing bounds connections being told "busy" at once; past it
	// Accept waits, and the kernel's queue holds the rest.
	maxRefusing = 64
)

// busyAnswer is what a sender over its address's cap gets: come back.
const busyAnswer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n" +
	"Connection: close\r\nContent-Length: 24\r\n\r\n{\"error\":\"busy, retry\"}\n"

// limitListener caps open connections in all (Accept waits for a free
// slot, leaving the rest in the kernel's queue) and per remote IP address
// (one over its cap is answered 503 and closed).
type limitListener struct {
	net.Listener
	slots    chan struct{}
	refusing chan struct{}
	perAddr  int

	mu   sync.Mutex
	open map[string]int
	done chan struct{}
	once sync.Once
}

func newLimitListener(l net.Listener, total, perAddr int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, total), refusing: make(chan struct{}, maxRefusing),
		perAddr: perAddr, open: map[string]int{}, done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.slots
			return nil, err
		}
		ip := remoteIP(c)
		l.mu.Lock()
		over := l.open[ip] >= l.perAddr
		if !over {
			l.open[ip]++
		}
		l.mu.Unlock()
		if !over {
			return &limitConn{Conn: c, l: l, ip: ip}, nil
		}
		<-l.slots
		l.refuse(c)
	}
}

// refuse answers c's request "busy" and closes it, in its own goroutine,
// within the time a request's header has anyway. Accept waits for it only
// when maxRefusing are under way: the files held stay bounded, and every
// sender still gets an answer, not a reset.
func (l *limitListener) refuse(c net.Conn) {
	select {
	case l.refusing <- struct{}{}:
	case <-l.done:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		// The request is read first: an answer before it looks unsolicited
		// to the sender, and closing with it unread resets the connection.
		_ = c.SetDeadline(time.Now().Add(DefaultReadHeaderTimeout))
		if req, err := http.ReadRequest(bufio.NewReader(io.LimitReader(c, DefaultMaxHeaderBytes+DefaultMaxBody))); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, DefaultMaxBody))
			_, _ = io.WriteString(c, busyAnswer)
		}
		_ = c.Close()
	}()
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

func (l *limitListener) release(ip string) {
	l.mu.Lock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
	l.mu.Unlock()
	<-l.slots
}

func remoteIP(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// limitConn gives its slots back on its first Close.
type limitConn struct {
	net.Conn
	l    *limitListener
	ip   string
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}
