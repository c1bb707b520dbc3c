#!/usr/bin/env python3
"""tests/core/progress_proxy.py PORT UPSTREAM_URL STATE_FILE: relays every request to
moto_server unchanged (the Host header included, so moto checks the client's own SigV4
signature). moto makes every snapshot available at once; to show a wait, the next
DescribeDBClusterSnapshots answers that say "available" say "creating" instead, one for
each number in STATE_FILE ("0 40 80"), with that PercentProgress; the file is consumed
as it is used."""
import http.client
import http.server
import re
import socketserver
import sys
import threading
import urllib.parse

PORT, UPSTREAM, STATE = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), sys.argv[3]
LOCK = threading.Lock()


def take_one():
    with LOCK:
        try:
            left = open(STATE).read().split()
        except OSError:
            return None
        if not left:
            return None
        open(STATE, "w").write(" ".join(left[1:]))
        return int(left[0])


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        up = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        up.request(self.command, self.path, body=body, headers=headers)
        r = up.getresponse()
        data = r.read()
        if b"<DescribeDBClusterSnapshotsResponse" in data and b"<Status>available</Status>" in data:
            pct = take_one()
            if pct is not None:
                data = data.replace(b"<Status>available</Status>", b"<Status>creating</Status>")
                tag = b"<PercentProgress>%d</PercentProgress>" % pct
                data, n = re.subn(rb"<PercentProgress>\d*</PercentProgress>", tag, data)
                if not n:
                    data = data.replace(b"<Status>creating</Status>",
                                        b"<Status>creating</Status>" + tag)
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        up.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = relay


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


Server(("127.0.0.1", PORT), Relay).serve_forever()
