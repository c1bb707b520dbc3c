#!/usr/bin/env python3
"""The credential endpoints moto does not serve, for tests/aws/credential_sources.t.

    metadata_server.py PORT STATE_DIR ROLE_ARN

At start it assumes ROLE_ARN in moto (AWS_ENDPOINT_URL, the test user's keys) and hands
out those temporary credentials, so that every signed call made with them is checked by
moto, session token included. It speaks:

  EC2 instance metadata, IMDSv2 only (as an instance with HttpTokens=required):
    PUT /latest/api/token                 needs X-aws-ec2-metadata-token-ttl-seconds
    GET /latest/meta-data/iam/security-credentials/[ROLE]   needs X-aws-ec2-metadata-token
                                          (401 without it or with a wrong one)
  IAM Identity Center portal:
    GET /federation/credentials?role_name=R&account_id=A with x-amz-sso_bearer_token:
        "sso-token-valid" -> {"roleCredentials": {...}}; anything else -> 401

STATE_DIR/requests.log gets one line per request: "METHOD PATH token-header-present".
STATE_DIR/hang (exists): IMDS requests are recorded, then answered only after 5 s (a
metadata address that does not answer, as on a laptop).
"""
import json
import os
import sys
import time
import http.server
import socketserver
import urllib.parse

import botocore.session

PORT, STATE, ROLE_ARN = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sts = botocore.session.get_session().create_client(
    "sts", region_name=os.environ.get("AWS_REGION", "us-west-2"),
    endpoint_url=os.environ["AWS_ENDPOINT_URL"])
CREDS = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="metadata",
                        DurationSeconds=3600)["Credentials"]
IMDS_TOKEN = "imds-session-token-5f1c"
ROLE = ROLE_ARN.rsplit("/", 1)[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, header):
        with open(os.path.join(STATE, "requests.log"), "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path.split("?")[0],
                                    "token" if self.headers.get(header) else "no-token"))

    def imds(self):
        if os.path.exists(os.path.join(STATE, "hang")):
            self.record("X-aws-ec2-metadata-token-ttl-seconds")
            time.sleep(5)
            return self.reply(200, IMDS_TOKEN, "text/plain")
        if self.command == "PUT" and self.path == "/latest/api/token":
            self.record("X-aws-ec2-metadata-token-ttl-seconds")
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.reply(400, "missing ttl", "text/plain")
            return self.reply(200, IMDS_TOKEN, "text/plain")
        self.record("X-aws-ec2-metadata-token")
        if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
            return self.reply(401, "", "text/plain")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self.reply(200, ROLE, "text/plain")
        if self.path == base + ROLE:
            return self.reply(200, json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": CREDS["AccessKeyId"],
                "SecretAccessKey": CREDS["SecretAccessKey"], "Token": CREDS["SessionToken"],
                "Expiration": CREDS["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")}))
        return self.reply(404, "", "text/plain")

    def sso(self):
        self.record("x-amz-sso_bearer_token")
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        if self.headers.get("x-amz-sso_bearer_token") != "sso-token-valid":
            return self.reply(401, json.dumps({"message": "Session token not found or invalid"}))
        if q.get("role_name") != ["Dev"] or q.get("account_id") != ["123456789012"]:
            return self.reply(403, json.dumps({"message": "No access"}))
        return self.reply(200, json.dumps({"roleCredentials": {
            "accessKeyId": CREDS["AccessKeyId"], "secretAccessKey": CREDS["SecretAccessKey"],
            "sessionToken": CREDS["SessionToken"],
            "expiration": int(CREDS["Expiration"].timestamp() * 1000)}}))

    def do_GET(self):
        if self.path.startswith("/federation/credentials"):
            return self.sso()
        return self.imds()

    def do_PUT(self):
        return self.imds()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", PORT), Handler).serve_forever()
