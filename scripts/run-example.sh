#!/bin/sh
# scripts/run-example.sh: what `make run` shows. First hello (a program's
# output and exit status come back to the terminal), then a server: the
# example web server in a Skiff VM with a port published on 127.0.0.1,
# asked three times from this host with curl, then stopped with a
# SIGTERM, which skiff passes on to it (docker stop). Everything stays on
# 127.0.0.1; every wait is bounded.
cd "$(dirname "$0")/.." || exit 1
set -e
build/skiff run build/hello Skiff
echo

# A free port on 127.0.0.1 for the host side.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "\$ build/skiff run -p 127.0.0.1:$port:80 build/webserver &"
build/skiff run -p "127.0.0.1:$port:80" build/webserver &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
ok=0
for i in $(seq 1 60); do
	if curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$port/"; then
		ok=1
		break
	fi
	sleep 0.5
done
if [ $ok = 0 ]; then
	echo "make run: the server did not answer within 30 s" >&2
	exit 1
fi
for path in / /index.html /skiff; do
	echo "\$ curl http://127.0.0.1:$port$path"
	curl -s --max-time 10 "http://127.0.0.1:$port$path"
done
echo "\$ kill -TERM %1"
kill -TERM $pid
wait $pid
trap - EXIT
