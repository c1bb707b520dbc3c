"""Supply chain and injection rules for every workflow and composite action. Prints one
line per problem ("<file>: <what>") and exits 1 on any.
    python3 security.py ROOT
- every action from another repository is pinned to a full commit SHA with its tag in a
  comment (uses: owner/repo@<40 hex> # vX.Y.Z), and .github/dependabot.yml keeps the
  github-actions ecosystem up to date for the workflows and every composite action;
- a value written to $GITHUB_OUTPUT or $GITHUB_ENV in the NAME<<DELIM syntax uses a
  delimiter from a variable (random), never a fixed word a value could hold;
- concurrency: cancel-in-progress false (except in a pull-request-only check), a group per operation (its dispatch type in the
  group; only deploy and destroy-infrastructure share one) and, for regional operations,
  per region;
- the composite action's cache key names the runner image (ImageOS, ImageVersion)."""
import glob
import os
import re
import sys

import yaml

root = sys.argv[1]
problems = []


def problem(path, what):
    problems.append(f"{os.path.relpath(path, root)}: {what}")


workflows = sorted(glob.glob(os.path.join(root, ".github", "workflows", "*.yml")))
actions = sorted(glob.glob(os.path.join(root, ".github", "actions", "*", "action.yml")))
PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(.*?)\s*$")
HEREDOC = re.compile(r"<<\s*([^\s\"'>]+)")

for path in workflows + actions:
    text = open(path).read()
    for n, line in enumerate(text.splitlines(), 1):
        m = USES.match(line)
        if m and not m.group(1).startswith("./") and not PIN.match(m.group(1)):
            problem(path, f"line {n}: {m.group(1)!r} is not pinned to a commit SHA with its tag in a comment")
    doc = yaml.safe_load(text)
    steps = []
    for job in (doc.get("jobs") or {}).values():
        steps += job.get("steps", [])
    steps += (doc.get("runs") or {}).get("steps", [])
    for s in steps:
        run = s.get("run", "")
        if "GITHUB_OUTPUT" not in run and "GITHUB_ENV" not in run:
            continue
        for line in run.splitlines():
            if not re.search(r"echo\s+[\"']?[\w-]+<<", line):
                continue
            m = HEREDOC.search(line)
            if m and not m.group(1).startswith("$"):
                problem(path, f"step {s.get('name', '?')!r}: fixed delimiter <<{m.group(1)} for a multi-line output (use a random one)")

groups = {}
for path in workflows:
    doc = yaml.safe_load(open(path))
    on = doc.get(True, doc.get("on")) or {}
    types = ((on.get("repository_dispatch") or {}).get("types") or []) if isinstance(on, dict) else []
    conc = doc.get("concurrency")
    if not conc:
        problem(path, "no concurrency group")
        continue
    # a pull-request check changes nothing: a newer push may cancel the older check
    only_checks = isinstance(on, dict) and set(on) == {"pull_request"}
    if conc.get("cancel-in-progress") is not False and not only_checks:
        problem(path, "concurrency must not cancel a run in progress (cancel-in-progress: false)")
    group = str(conc.get("group", ""))
    groups.setdefault(re.sub(r"\$\{\{[^}]*\}\}", "*", group), []).append(os.path.basename(path))
    regional = "client_payload.region" in open(path).read()
    if regional and "client_payload.region" not in group:
        problem(path, f"concurrency group {group!r} is not per region")
    if types and types[0] not in ("deploy-infrastructure", "destroy-infrastructure") and not group.startswith(
            {"run-migration": "migration-"}.get(types[0], types[0] + "-")):
        problem(path, f"concurrency group {group!r} is not the operation's own ({types[0]})")
for g, names in groups.items():
    if len(names) > 1 and sorted(names) != ["deploy-infrastructure.yml", "destroy-infrastructure.yml"]:
        problem(os.path.join(root, ".github", "workflows", names[0]),
                f"concurrency group {g!r} shared by {', '.join(names)}: a later run of one cancels a queued run of another")

for path in actions:
    doc = yaml.safe_load(open(path))
    for s in (doc.get("runs") or {}).get("steps", []):
        if str(s.get("uses", "")).startswith("actions/cache@"):
            key = str((s.get("with") or {}).get("key", ""))
            if "env.ImageOS" not in key or "env.ImageVersion" not in key:
                problem(path, f"cache key {key!r} does not name the runner image (env.ImageOS, env.ImageVersion)")

dep = os.path.join(root, ".github", "dependabot.yml")
if not os.path.exists(dep):
    problem(dep, "missing: the pinned actions would never be updated")
else:
    d = yaml.safe_load(open(dep)) or {}
    covered = set()
    for u in d.get("updates", []):
        if u.get("package-ecosystem") == "github-actions":
            covered |= set(u.get("directories", [])) | ({u["directory"]} if "directory" in u else set())
    want = {"/"} | {"/" + os.path.relpath(os.path.dirname(a), root) for a in actions}
    for w in sorted(want - covered):
        problem(dep, f"github-actions updates do not cover {w}")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
