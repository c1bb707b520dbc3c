#!/usr/bin/env python3
"""A local stand-in for GitHub's REST API: repository_dispatch, and the list of a
workflow's runs that trigger reads before sending.

    server.py PORT LOGFILE

Every POST /repos/{owner}/{repo}/dispatches is checked as GitHub would: the JSON body
against the requestBody schema of that operation in GitHub's own OpenAPI description
(npm package @octokit/openapi in tests/node_modules), and the headers the client must
send (Accept, Authorization: Bearer, X-GitHub-Api-Version 2022-11-28, User-Agent, JSON
content type). A request that fails a check gets 400 with the reasons and is recorded
as invalid, so a test sees it.

Answers are scripted per test: POST /_script with a JSON list of answer names; each
dispatch takes the next one, the last one repeats. Scripting also clears the log.
Answers: 204, 401, 403, 403-ratelimit (x-ratelimit-remaining: 0, reset now),
403-ratelimit-hour (the same, reset in an hour),
403-retry-after (secondary rate limit, Retry-After: 1), 404, 422, 500, drop (closes the
connection without answering).

Each request is appended to LOGFILE as one JSON line {method, path, headers, body,
problems, answer}; GET /_requests returns them as a JSON list.

GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs is checked against that
operation in the same description: every query parameter must be one it declares, with a
value its schema accepts (status from GitHub's enum, per_page 1..100), and the headers as
above (but no body, so no Content-Type). The runs it answers are set with POST /_runs
{"runs": {"FILE.yml": [{"id", "status", "display_title"}, ...]}, "answer": "200"} (answer
401/403/404/500 answers that instead); each run is completed with html_url and checked
against the workflow-run schema's properties before it is served, and the list filtered by
the status asked. These requests are logged apart (LOGFILE.list, GET /_list_requests), so
the dispatch log stays what the dispatch tests count.
"""
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPENAPI = os.path.join(ROOT, "node_modules", "@octokit", "openapi", "generated",
                       "api.github.com.json")
API_VERSION = "2022-11-28"


def load_dispatch_schema():
    with open(OPENAPI) as f:
        spec = json.load(f)
    op = spec["paths"]["/repos/{owner}/{repo}/dispatches"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    # Resolve any $ref against the whole document; GitHub's schemas are OpenAPI 3.0
    # JSON Schema, which draft 2020-12 reads for the keywords this operation uses.
    resolver_doc = dict(spec)
    resolver_doc.update(schema)
    return jsonschema.Draft202012Validator(resolver_doc)


def load_runs_operation():
    with open(OPENAPI) as f:
        spec = json.load(f)
    op = spec["paths"]["/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"]["get"]
    params = {}
    for p in op["parameters"]:
        if "$ref" in p:
            p = spec["components"]["parameters"][p["$ref"].split("/")[-1]]
        params[p["name"]] = p
    run_props = spec["components"]["schemas"]["workflow-run"]["properties"]
    return spec, params, run_props


VALIDATOR = load_dispatch_schema()
SPEC, RUNS_PARAMS, RUN_PROPS = load_runs_operation()
LOCK = threading.Lock()
STATE = {"script": ["204"], "n": 0, "runs": {}, "runs_answer": "200"}
LOGFILE = sys.argv[2] if len(sys.argv) > 2 else os.devnull


def check_query(query):
    """Problems of a list-runs query against the operation's declared parameters."""
    problems = []
    for name, values in query.items():
        p = RUNS_PARAMS.get(name)
        if not p or p.get("in") != "query":
            problems.append("query parameter %r is not one the operation declares" % name)
            continue
        schema = dict(p.get("schema", {}))
        value = values[-1]
        if schema.get("type") == "integer":
            try:
                value = int(value)
            except ValueError:
                problems.append("%s=%r is not an integer" % (name, value))
                continue
        if name == "per_page" and not 1 <= value <= 100:
            problems.append("per_page must be 1..100 (GitHub's maximum is 100)")
        for e in jsonschema.Draft202012Validator(schema).iter_errors(value):
            problems.append("%s: %s" % (name, e.message))
    return problems


def check_run(run):
    """Each served field must be a property of GitHub's workflow-run schema, of its type."""
    problems = []
    for k, v in run.items():
        prop = RUN_PROPS.get(k)
        if prop is None:
            problems.append("run field %r is not in GitHub's workflow-run schema" % k)
            continue
        schema = dict(prop)
        if schema.pop("nullable", False) and v is None:
            continue
        for e in jsonschema.Draft202012Validator(schema).iter_errors(v):
            problems.append("run field %s: %s" % (k, e.message))
    return problems


def check_headers(h):
    problems = []
    if h.get("Accept") != "application/vnd.github+json":
        problems.append("Accept must be application/vnd.github+json, got %r" % h.get("Accept"))
    auth = h.get("Authorization", "")
    if not auth.startswith("Bearer ") or len(auth) <= len("Bearer "):
        problems.append("Authorization must be 'Bearer <token>'")
    if h.get("X-GitHub-Api-Version") != API_VERSION:
        problems.append("X-GitHub-Api-Version must be %s, got %r"
                        % (API_VERSION, h.get("X-GitHub-Api-Version")))
    if not h.get("User-Agent"):
        problems.append("User-Agent is required")
    ctype = (h.get("Content-Type") or "").split(";")[0].strip()
    if ctype != "application/json":
        problems.append("Content-Type must be application/json, got %r" % h.get("Content-Type"))
    return problems


def check_body(raw):
    try:
        doc = json.loads(raw)
    except ValueError as e:
        return None, ["body is not JSON: %s" % e]
    problems = ["body: %s at %s" % (e.message, "/".join(map(str, e.path)) or "(root)")
                for e in VALIDATOR.iter_errors(doc)]
    # Limits the schema states only in prose.
    if isinstance(doc, dict) and "client_payload" in doc:
        if len(json.dumps(doc["client_payload"], separators=(",", ":"))) >= 65536:
            problems.append("client_payload must be under 64KB")
    return doc, problems


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, doc, extra=None):
        body = json.dumps(doc).encode() if doc is not None else b""
        self.send_response(status)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if doc is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path in ("/_requests", "/_list_requests"):
            name = LOGFILE + (".list" if self.path == "/_list_requests" else "")
            with open(name) as f:
                reqs = [json.loads(line) for line in f if line.strip()]
            self.send_json(200, reqs)
            return
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.split("/")
        if (len(parts) != 8 or parts[1] != "repos" or parts[4:6] != ["actions", "workflows"]
                or parts[7] != "runs"):
            self.send_json(404, {"message": "Not Found"})
            return
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        problems = [p for p in check_headers(self.headers) if not p.startswith("Content-Type")]
        problems += check_query(query)
        workflow = urllib.parse.unquote(parts[6])
        status = (query.get("status") or [None])[-1]
        with LOCK:
            answer = "400" if problems else STATE["runs_answer"]
            runs = [dict(r, html_url="https://github.com/%s/%s/actions/runs/%d"
                         % (parts[2], parts[3], r["id"]))
                    for r in STATE["runs"].get(workflow, [])
                    if status is None or r.get("status") == status]
            for r in runs:
                problems += check_run(r)
            if problems:
                answer = "400"
            with open(LOGFILE + ".list", "a") as f:
                f.write(json.dumps({"method": "GET", "path": url.path, "query": query,
                                    "workflow": workflow, "problems": problems,
                                    "answer": answer}) + "\n")
        if answer == "200":
            self.send_json(200, {"total_count": len(runs), "workflow_runs": runs})
        elif answer == "400":
            self.send_json(400, {"message": "stand-in: " + "; ".join(problems)})
        else:
            self.answer(answer, problems)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path == "/_script":
            with LOCK:
                STATE["script"] = json.loads(raw)
                STATE["n"] = 0
                open(LOGFILE, "w").close()
                open(LOGFILE + ".list", "w").close()
            self.send_json(200, {"ok": True})
            return
        if self.path == "/_runs":
            doc = json.loads(raw)
            with LOCK:
                STATE["runs"] = doc.get("runs", {})
                STATE["runs_answer"] = doc.get("answer", "200")
            self.send_json(200, {"ok": True})
            return
        parts = self.path.split("/")
        if len(parts) != 5 or parts[1] != "repos" or parts[4] != "dispatches":
            self.send_json(404, {"message": "Not Found"})
            return
        problems = check_headers(self.headers)
        doc, body_problems = check_body(raw)
        problems += body_problems
        with LOCK:
            script = STATE["script"]
            answer = script[min(STATE["n"], len(script) - 1)]
            STATE["n"] += 1
            if problems:
                answer = "400"
            with open(LOGFILE, "a") as f:
                f.write(json.dumps({"method": "POST", "path": self.path,
                                    "headers": dict(self.headers.items()), "body": doc,
                                    "problems": problems, "answer": answer}) + "\n")
        self.answer(answer, problems)

    def answer(self, answer, problems):
        docs = "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"
        if answer == "204":
            self.send_json(204, None)
        elif answer == "400":
            self.send_json(400, {"message": "stand-in: " + "; ".join(problems)})
        elif answer == "401":
            self.send_json(401, {"message": "Bad credentials", "documentation_url": docs})
        elif answer == "403":
            self.send_json(403, {"message": "Resource not accessible by personal access token",
                                 "documentation_url": docs})
        elif answer == "403-ratelimit":
            self.send_json(403, {"message": "API rate limit exceeded", "documentation_url": docs},
                           {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0",
                            "x-ratelimit-reset": str(int(time.time()))})
        elif answer == "403-ratelimit-hour":
            self.send_json(403, {"message": "API rate limit exceeded", "documentation_url": docs},
                           {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0",
                            "x-ratelimit-reset": str(int(time.time()) + 3600)})
        elif answer == "403-retry-after":
            self.send_json(403, {"message": "You have exceeded a secondary rate limit.",
                                 "documentation_url": docs}, {"Retry-After": "1"})
        elif answer == "404":
            self.send_json(404, {"message": "Not Found", "documentation_url": docs})
        elif answer == "422":
            self.send_json(422, {"message": "Invalid request.\n\nevent_type is too long",
                                 "documentation_url": docs})
        elif answer == "500":
            self.send_json(500, {"message": "Server Error"})
        elif answer == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
        else:
            self.send_json(500, {"message": "stand-in: unknown scripted answer %r" % answer})


def main():
    port = int(sys.argv[1])
    open(LOGFILE, "w").close()
    open(LOGFILE + ".list", "w").close()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
