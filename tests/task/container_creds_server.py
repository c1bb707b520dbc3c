#!/usr/bin/env python3
"""The ECS container credentials endpoint, for the tests: answers GET with the JSON the
ECS agent serves (AccessKeyId, SecretAccessKey, Token, Expiration) when the request's
Authorization header equals the token, 401 otherwise. Each request is logged to stderr.

usage: container_creds_server.py PORT AUTH_TOKEN CREDENTIALS_JSON_FILE
"""
import http.server
import sys

PORT, AUTH, FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.headers.get("Authorization") == AUTH
        sys.stderr.write("GET %s authorized=%s\n" % (self.path, ok))
        body = open(FILE, "rb").read() if ok else b'{"message":"unauthorized"}'
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
