// tests/net/hello.go: the Go net/http server of tests/net/run.sh, built
// static (CGO_ENABLED=0) by the test.
//
//	gohello ADDR   serves "hello from go" on /, 1 MiB of a fixed pattern on
//	               /big, 404 elsewhere; ADDR as net.Listen takes it
package main

import (
	"net/http"
	"os"
)

func main() {
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i*7 + i/251)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("hello from go\n"))
	})
	http.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(big)
	})
	if err := http.ListenAndServe(os.Args[1], nil); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
