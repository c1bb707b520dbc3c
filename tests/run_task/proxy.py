#!/usr/bin/env python3
"""A small HTTP proxy in front of moto_server for the run-task tests and bench.

    proxy.py PORT UPSTREAM_URL STATE_DIR

Forwards every request unchanged (the Host header included, so moto checks the client's
own SigV4 signature) and, driven by files in STATE_DIR that tests may change at any time:

  requests.jsonl  appended: one line per request {"op", "body"} (op: X-Amz-Target or the
                  Query Action; body: the JSON body, for JSON 1.1 requests)
  faults          "SEED RATE": answer a random share of requests with 500, 503, a
                  throttling error, or a dropped connection, never forwarding them; at most
                  two faults in a row per operation, and the first RunTask attempt always
                  fails, so that RunTask is retried. Any operation may also be forwarded
                  and its answer lost ("lost"), RunTask included: moto ignores RunTask's
                  clientToken, so the client must ask ECS (ListTasks by startedBy) before
                  it sends again, or a second task starts.
  fail            "OP N [KIND]" lines: the next N requests of OP (a target or Action suffix)
                  fail, whatever the streak (the file is consumed as it counts down). KIND: 503
                  (default), 500, throttle, drop (never forwarded), lost (forwarded, the
                  answer dropped), skew (403 RequestTimeTooSkewed, Date one hour ahead)
  late_logs.json  {"group": G, "prefix": P, "lines": [...]}: once a DescribeTasks answer
                  with a STOPPED task has been relayed, the next GetLogEvents answer is
                  relayed without these lines, and they are put into moto's stream
                  P<task id> just before it goes out: lines CloudWatch delivers after ECS
                  said STOPPED, in an order fixed by events, not by time
  skew            "SECONDS": the proxy's clock is SECONDS ahead; a request whose
                  X-Amz-Date is more than 5 minutes from it gets 403 RequestTimeTooSkewed
                  with that clock in Date (a server that checks request time, as AWS does)
  repeat_marker   "ACTION" lines (Query actions: DescribeDBClusterSnapshots,
                  DescribeSecurityGroups...): the first answer of ACTION gets a Marker (RDS)
                  or nextToken (EC2) of "orc-repeat", and every request of ACTION that
                  carries it is answered with that same page again, never forwarded: a
                  service that repeats its page token, which a client must not follow
                  forever (the SDKs' paginators stop: "the same next token was received
                  twice")
  rewrite.json    {"<target suffix>": {...}} patches of answers, standing in for what moto
                  cannot produce (an exit code, a stopCode, RunTask failures):
                    "DescribeTasks": {"exitCode": 5} or {"exitCode": null, "stopCode": ..,
                                      "stoppedReason": .., "reason": ..}  (applied once
                                      the task is STOPPED, to every container)
                    "RunTask": {"failures": [...]}   (tasks emptied)
                    "DescribeKey": {"KeyManager": {"<key id>": "AWS"}}  (moto makes every
                                      key CUSTOMER; this stands in for aws/rds)
"""
import calendar
import email.utils
import http.client
import http.server
import json
import os
import random
import socketserver
import sys
import threading
import time
import urllib.parse

PORT, UPSTREAM, STATE = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), sys.argv[3]
LOCK = threading.Lock()
STREAK = {}
RNG = {"seed": None, "rng": None}
SEEN_RUNTASK = {"n": 0}
STOPPED = {"arn": None}


def state_file(name):
    return os.path.join(STATE, name)


def read_faults():
    try:
        seed, rate = open(state_file("faults")).read().split()
    except (OSError, ValueError):
        return None
    if RNG["seed"] != seed:
        RNG["seed"], RNG["rng"] = seed, random.Random(int(seed))
        STREAK.clear()
        SEEN_RUNTASK["n"] = 0
    return float(rate)


REPEATED = {}


def read_lines(name):
    try:
        return [l.strip() for l in open(state_file(name)) if l.strip()]
    except OSError:
        return []


def read_rewrite():
    try:
        return json.load(open(state_file("rewrite.json")))
    except (OSError, ValueError):
        return {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, ctype, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def forced_failure(self, op, is_json, body):
        with LOCK:
            try:
                rules = [l.split() for l in open(state_file("fail")).read().splitlines() if l.strip()]
            except OSError:
                return False
            kind = None
            for r in rules:
                if kind is None and len(r) >= 2 and op.endswith(r[0]) and int(r[1]) > 0:
                    kind = r[2] if len(r) > 2 else "503"
                    r[1] = str(int(r[1]) - 1)
            if kind is None:
                return False
            with open(state_file("fail"), "w") as f:
                f.write("".join(" ".join(r) + "\n" for r in rules))
            with open(state_file("faults.log"), "a") as f:
                f.write("%s %s\n" % (op, kind))
        return self.inject(kind, is_json, body)

    def skewed(self):
        try:
            ahead = int(open(state_file("skew")).read())
        except (OSError, ValueError):
            return False
        stamp = self.headers.get("X-Amz-Date") or ""
        try:
            sent = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            return False
        server = time.time() + ahead
        if abs(sent - server) <= 300:
            return False
        with LOCK, open(state_file("faults.log"), "a") as f:
            f.write("skew %s\n" % stamp)
        body = ("<ErrorResponse><Error><Type>Sender</Type><Code>RequestTimeTooSkewed</Code>"
                "<Message>The difference between the request time and the current time is "
                "too large.</Message></Error><RequestId>proxy-skew</RequestId></ErrorResponse>")
        self.reply(403, "text/xml", body.encode(),
                   [("Date", email.utils.formatdate(server, usegmt=True))])
        return True

    def fault(self, op, is_json, body):
        if self.skewed():
            return True
        if self.forced_failure(op, is_json, body):
            return True
        rate = read_faults()
        if rate is None:
            return False
        with LOCK:
            forced = op.endswith("RunTask") and SEEN_RUNTASK["n"] == 0
            if op.endswith("RunTask"):
                SEEN_RUNTASK["n"] += 1
            streak = STREAK.get(op, 0)
            hit = forced or (streak < 2 and RNG["rng"].random() < rate)
            kinds = ["500", "503", "throttle", "drop", "lost"]
            kind = RNG["rng"].choice(kinds) if hit else None
            if forced:
                kind = "drop"
            STREAK[op] = streak + 1 if hit else 0
            if hit:
                with open(state_file("faults.log"), "a") as f:
                    f.write("%s %s\n" % (op, kind))
        if not hit:
            return False
        return self.inject(kind, is_json, body)

    def inject(self, kind, is_json, body):
        if kind == "lost":
            conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                conn.putheader(k, v)
            conn.endheaders(body)
            conn.getresponse().read()
            conn.close()
            kind = "drop"
        if kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        if kind == "throttle":
            if is_json:
                body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
                self.reply(400, "application/x-amz-json-1.1", body.encode(),
                           [("x-amzn-RequestId", "proxy-throttle")])
            else:
                body = ("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                        "<Message>Rate exceeded</Message></Error><RequestId>proxy</RequestId>"
                        "</ErrorResponse>")
                self.reply(400, "text/xml", body.encode())
            return True
        self.reply(int(kind), "text/html", b"<html>proxy fault</html>")
        return True

    def do_POST(self):
        self.forward()

    def do_GET(self):
        self.forward()

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.headers.get("X-Amz-Target") or ""
        is_json = bool(target)
        op = target
        if not op:
            op = urllib.parse.parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
        with LOCK, open(state_file("requests.jsonl"), "a") as f:
            rec = {"op": op}
            if is_json:
                try:
                    rec["body"] = json.loads(body or b"{}")
                except ValueError:
                    rec["body"] = None
            f.write(json.dumps(rec) + "\n")
        if self.fault(op, is_json, body):
            return
        repeat = not is_json and op in read_lines("repeat_marker")
        params = urllib.parse.parse_qs(body.decode(errors="replace")) if repeat else {}
        if repeat and (params.get("Marker") or params.get("NextToken")) and op in REPEATED:
            self.reply(200, "text/xml", REPEATED[op])
            return
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        data = self.rewrite(target, resp.status, data)
        if repeat and resp.status == 200:
            text = data.decode()
            close = f"</{op}Result>"
            if close in text:  # RDS: <ActionResult>...<Marker>
                text = text.replace(close, "<Marker>orc-repeat</Marker>" + close, 1)
            else:  # EC2: <ActionResponse>...<nextToken>
                close = f"</{op}Response>"
                text = text.replace(close, "<nextToken>orc-repeat</nextToken>" + close, 1)
            data = text.encode()
            REPEATED[op] = data
        self.late_logs(target, resp.status, data)
        headers = [(k, v) for k, v in resp.getheaders()
                   if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                        "content-type", "server", "date")]
        self.reply(resp.status, resp.getheader("Content-Type") or "application/octet-stream",
                   data, headers)
        conn.close()

    def late_logs(self, target, status, data):
        if status != 200 or not target:
            return
        if target.endswith(".RunTask"):
            STOPPED["arn"] = None
            return
        if target.endswith(".DescribeTasks"):
            for t in json.loads(data).get("tasks", []):
                if t.get("lastStatus") == "STOPPED":
                    STOPPED["arn"] = t["taskArn"]
            return
        if not target.endswith(".GetLogEvents") or not STOPPED["arn"]:
            return
        with LOCK:
            try:
                late = json.load(open(state_file("late_logs.json")))
            except (OSError, ValueError):
                return
            os.unlink(state_file("late_logs.json"))
        import botocore.session
        logs = botocore.session.get_session().create_client(
            "logs", region_name=os.environ.get("AWS_REGION", "us-west-2"),
            endpoint_url=urllib.parse.urlunparse(UPSTREAM))
        stream = late["prefix"] + STOPPED["arn"].rsplit("/", 1)[1]
        try:
            logs.create_log_stream(logGroupName=late["group"], logStreamName=stream)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
        now = int(time.time() * 1000)
        logs.put_log_events(logGroupName=late["group"], logStreamName=stream,
                            logEvents=[{"timestamp": now, "message": m} for m in late["lines"]])
        with open(state_file("late_logs.done"), "w") as f:
            f.write(stream + "\n")

    def rewrite(self, target, status, data):
        rules = read_rewrite()
        if status != 200 or not target:
            return data
        for suffix, patch in rules.items():
            if not target.endswith("." + suffix):
                continue
            doc = json.loads(data)
            if suffix == "RunTask":
                doc["tasks"] = []
                doc["failures"] = patch.get("failures", [])
            elif suffix == "DescribeKey":
                m = doc.get("KeyMetadata", {})
                m["KeyManager"] = patch.get("KeyManager", {}).get(m.get("KeyId"), m.get("KeyManager"))
            elif suffix == "DescribeTasks":
                for t in doc.get("tasks", []):
                    if t.get("lastStatus") != "STOPPED":
                        continue
                    for k in ("stopCode", "stoppedReason"):
                        if k in patch:
                            t[k] = patch[k]
                    for c in t.get("containers", []):
                        if "exitCode" in patch:
                            if patch["exitCode"] is None:
                                c.pop("exitCode", None)
                            else:
                                c["exitCode"] = patch["exitCode"]
                        if "reason" in patch:
                            c["reason"] = patch["reason"]
            data = json.dumps(doc).encode()
        return data


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", PORT), Handler).serve_forever()
