#!/usr/bin/env python3
"""A git smart-HTTP server for the tests: `git http-backend` behind Basic auth, as GitHub
does it (user x-access-token, password = the token). Wrong or missing credentials get 401
with a challenge, so a client that has a token sends it and one that has the wrong token
is refused. Every request is logged (method, path, whether authorized) to stderr.

usage: git_http_server.py PORT PROJECT_ROOT TOKEN [CERT_PEM KEY_PEM]   (with a
certificate and key it serves HTTPS)
"""
import base64
import http.server
import os
import ssl
import subprocess
import sys

PORT, ROOT, TOKEN = int(sys.argv[1]), sys.argv[2], sys.argv[3]
WANT = "Basic " + base64.b64encode(("x-access-token:" + TOKEN).encode()).decode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.serve()

    def do_POST(self):
        self.serve()

    def serve(self):
        authorized = self.headers.get("Authorization") == WANT
        sys.stderr.write("%s %s authorized=%s\n" % (self.command, self.path, authorized))
        if not authorized:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = dict(os.environ, GIT_PROJECT_ROOT=ROOT, GIT_HTTP_EXPORT_ALL="1",
                   PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD=self.command,
                   CONTENT_TYPE=self.headers.get("Content-Type") or "",
                   CONTENT_LENGTH=str(length), REMOTE_USER="x-access-token",
                   REMOTE_ADDR="127.0.0.1",
                   HTTP_GIT_PROTOCOL=self.headers.get("Git-Protocol") or "",
                   HTTP_CONTENT_ENCODING=self.headers.get("Content-Encoding") or "")
        out = subprocess.run(["git", "http-backend"], input=body, env=env,
                             capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
if len(sys.argv) > 5:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[4], sys.argv[5])
    server.socket = tls.wrap_socket(server.socket, server_side=True)
server.serve_forever()
