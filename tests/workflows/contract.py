#!/usr/bin/env python3
"""contract.py EVENTS_JSON FILE...: checks workflows against what trigger_workflow sends.

EVENTS_JSON is the output of `orchestrator trigger --list-events` (the verbs and their
payload keys, from the C table). For every workflow FILE:
  - a repository_dispatch trigger lists types, and each type is a verb trigger_workflow
    sends (an underscore alias never arrives: the verb is sent);
  - every github.event.client_payload.X it references is a key of the payload of every
    type it listens to (and only dispatch workflows reference client_payload);
  - no ${{ ... github.event ... }} expression stands inside a run: script (pass it through
    env:, so a payload value is never pasted into shell code).
Prints one line per problem, "FILE: problem", and exits 1 when there is any."""
import json
import re
import sys

import yaml

PAYLOAD_REF = re.compile(
    r"github\.event\.client_payload(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
EVENT_IN_EXPR = re.compile(r"\$\{\{[^}]*\bgithub\.event\b[^}]*\}\}")


def triggers(doc):
    # YAML 1.1 reads the key `on` as the boolean true.
    on = doc.get("on", doc.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    return on if isinstance(on, dict) else {}


def run_scripts(doc):
    for job_name, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate((job or {}).get("steps") or []):
            if isinstance(step, dict) and isinstance(step.get("run"), str):
                yield "jobs.%s.steps[%d]" % (job_name, i), step["run"]


def check(path, text, events):
    problems = []
    aliases = {ev["alias"]: verb for verb, ev in events.items()}
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return ["not valid YAML: %s" % str(e).replace("\n", " ")]
    if not isinstance(doc, dict):
        return ["not a workflow (expected a mapping at the top)"]
    on = triggers(doc)
    refs = sorted({a or b for a, b in PAYLOAD_REF.findall(text)})
    if "repository_dispatch" in on:
        spec = on["repository_dispatch"] or {}
        types = spec.get("types") if isinstance(spec, dict) else None
        if isinstance(types, str):
            types = [types]
        if not types:
            problems.append("repository_dispatch without types runs on every event; "
                            "list the verbs it handles")
            types = []
        for t in types:
            if t in events:
                continue
            if t in aliases:
                problems.append("type %s is the template's alias; trigger_workflow sends %s"
                                % (t, aliases[t]))
            else:
                problems.append("type %s is not a verb trigger_workflow sends (%s)"
                                % (t, ", ".join(events)))
        for key in refs:
            for t in types:
                if t in events and key not in events[t]["payload"]:
                    problems.append("github.event.client_payload.%s: the %s payload has no "
                                    "such key (it carries %s)"
                                    % (key, t, ", ".join(events[t]["payload"])))
    elif refs:
        problems.append("references github.event.client_payload but is not triggered by "
                        "repository_dispatch")
    for where, script in run_scripts(doc):
        for expr in EVENT_IN_EXPR.findall(script):
            problems.append("%s.run contains %s; pass it through env: and use the variable"
                            % (where, expr))
    return problems


def main():
    events = json.load(open(sys.argv[1]))
    bad = 0
    for path in sys.argv[2:]:
        with open(path) as f:
            text = f.read()
        for p in check(path, text, events):
            print("%s: %s" % (path, p))
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
