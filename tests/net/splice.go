// tests/net/splice.go: the go-splice check of tests/net/run.sh, built
// static (CGO_ENABLED=0) by the test and run to its end inside the guest.
// An echo server (io.Copy from a connection to itself), a proxy in front
// of it (io.Copy both ways between two TCP connections) and a client, all
// over 127.0.0.1 in one program. io.Copy between *net.TCPConn values is
// TCPConn.ReadFrom, which moves the bytes with splice(2) through a pipe;
// the client checks that 3 MiB come back unchanged.
package main

import (
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
)

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

func listen() net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen", err)
	}
	return l
}

// echo serves each connection by copying it into itself.
func echo(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			io.Copy(c, c)
			c.(*net.TCPConn).CloseWrite()
		}()
	}
}

// proxy joins each connection to a new one to the echo server.
func proxy(l net.Listener, to string) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", to)
		if err != nil {
			fail("dial echo", err)
		}
		go func() {
			io.Copy(up, c)
			up.(*net.TCPConn).CloseWrite()
		}()
		go func() {
			io.Copy(c, up)
			c.(*net.TCPConn).CloseWrite()
		}()
	}
}

func main() {
	const total = 3<<20 + 123
	el, pl := listen(), listen()
	go echo(el)
	go proxy(pl, el.Addr().String())
	c, err := net.Dial("tcp", pl.Addr().String())
	if err != nil {
		fail("dial proxy", err)
	}
	data := make([]byte, total)
	for i := range data {
		data[i] = byte(i*7 + i/1000)
	}
	go func() {
		if _, err := c.Write(data); err != nil {
			fail("write", err)
		}
		c.(*net.TCPConn).CloseWrite()
	}()
	h := fnv.New64a()
	n, err := io.Copy(h, c)
	if err != nil {
		fail("read", err)
	}
	want := fnv.New64a()
	want.Write(data)
	same := h.Sum64() == want.Sum64()
	fmt.Printf("sent %d, received %d, same: %v\n", total, n, same)
	if !same {
		os.Exit(1)
	}
}
