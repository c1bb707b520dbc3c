"""Checks of the infrastructure workflows beyond the validator: the rules of the BRIEF and
issue 8. Prints one line per problem ("<file>: <what>") and exits 1 on any.
    python3 workflows.py ROOT
Also: `python3 workflows.py ROOT --script FILE STEP` prints the run: script of step STEP
(its name) of FILE, so that the test can execute the request check for real."""
import os
import re
import sys

import yaml

root = sys.argv[1]
wf_dir = os.path.join(root, ".github", "workflows")


def load(name):
    with open(os.path.join(wf_dir, name)) as f:
        doc = yaml.safe_load(f)
    # YAML 1.1 reads the key `on` as True
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def steps(doc):
    for job_name, job in doc["jobs"].items():
        for i, step in enumerate(job.get("steps", [])):
            yield job_name, job, i, step


if len(sys.argv) == 5 and sys.argv[2] == "--script":
    doc = load(sys.argv[3])
    for _, _, _, step in steps(doc):
        if step.get("name") == sys.argv[4]:
            print(step["run"])
            sys.exit(0)
    sys.exit("no step named " + sys.argv[4])

problems = []


def problem(name, what):
    problems.append(f".github/workflows/{name}: {what}")


components = sorted(
    d for d in os.listdir(os.path.join(root, "infrastructure"))
    if os.path.isdir(os.path.join(root, "infrastructure", d)) and d != "examples"
)
EVENT = re.compile(r"\$\{\{[^}]*github\.event")

for name, event in (("deploy-infrastructure.yml", "deploy-infrastructure"),
                    ("destroy-infrastructure.yml", "destroy-infrastructure"),
                    ("build-image.yml", "build-image")):
    path = os.path.join(wf_dir, name)
    if not os.path.exists(path):
        problem(name, "missing")
        continue
    doc = load(name)
    types = (doc["on"].get("repository_dispatch") or {}).get("types", [])
    if types != [event]:
        problem(name, f"repository_dispatch types {types}, expected [{event}]")
    perms = doc.get("permissions")
    if not isinstance(perms, dict):
        problem(name, "no top-level permissions map (least privilege must be explicit)")
        perms = {}
    for job_name, job in doc["jobs"].items():
        if "permissions" in job and job["permissions"] != perms:
            extra = set(job["permissions"]) - set(perms)
            if extra:
                problem(name, f"job {job_name} widens permissions: {sorted(extra)}")
    for job_name, job, i, step in steps(doc):
        if "run" in step and EVENT.search(step["run"]):
            problem(name, f"job {job_name} step {i + 1}: ${{{{ github.event.* }}}} inside run: (pass it through env:)")
    uses = [step.get("uses", "") for _, _, _, step in steps(doc)]
    if "./.github/actions/setup-orchestrator" not in uses:
        problem(name, "does not build orchestrator with ./.github/actions/setup-orchestrator")
    for u in uses:
        if u and not u.startswith("./") and "@" not in u:
            problem(name, f"action {u} is not pinned to a version")

    if event == "build-image":
        if perms != {"contents": "write", "packages": "write"}:
            problem(name, f"permissions {perms}, expected contents: write and packages: write only")
        paths = (doc["on"].get("push") or {}).get("paths", [])
        for p in ("docker/**", "orchestrator/**"):
            if p not in paths:
                problem(name, f"push paths lack {p}")
        runs = " ".join(step.get("run", "") for _, _, _, step in steps(doc))
        if not re.search(r"orchestrator bump-image --version \"\$TAG\" --commit --push", runs):
            problem(name, "does not run orchestrator bump-image --commit --push")
        continue

    # deploy / destroy
    if perms != {"contents": "read", "id-token": "write"}:
        problem(name, f"permissions {perms}, expected contents: read and id-token: write only")
    group = str((doc.get("concurrency") or {}).get("group", ""))
    if "client_payload.region" not in group or "client_payload.folder" not in group:
        problem(name, f"concurrency group {group!r} is not per region and component")
    if (doc.get("concurrency") or {}).get("cancel-in-progress") is not False:
        problem(name, "concurrency must not cancel a Terraform run in progress")
    for job_name, job in doc["jobs"].items():
        checked = "needs" in job  # a job after the checking job uses its outputs
        for i, step in enumerate(job.get("steps", [])):
            text = yaml.safe_dump(step)
            if step.get("name") == "Check the request":
                script = step["run"]
                case = re.search(r'case "\$FOLDER" in\s*\n\s*([^)]*)\)', script)
                listed = sorted(x.strip() for x in case.group(1).split("|")) if case else []
                if listed != components:
                    problem(name, f"the folder check accepts {listed}, the components are {components}")
                checked = True
                continue
            builds_path = "working-directory" in step or re.search(r"\$FOLDER|\$\{FOLDER\}", step.get("run", ""))
            if builds_path and not checked:
                problem(name, f"job {job_name} step {i + 1} uses the folder before the request is checked")
            if "working-directory" in step and "client_payload" in text:
                problem(name, f"job {job_name} step {i + 1}: working-directory built from the payload")
            if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@"):
                role = str(step.get("with", {}).get("role-to-assume", ""))
                if not re.fullmatch(r"\$\{\{\s*vars\.[A-Z0-9_]+\s*\}\}", role):
                    problem(name, f"job {job_name}: role-to-assume {role!r} is not a repository variable")
                if "aws-access-key-id" in step.get("with", {}):
                    problem(name, f"job {job_name}: long-lived access keys instead of OIDC")
        runs = " ".join(step.get("run", "") for step in job.get("steps", []))
        if "terraform apply" in runs and event == "destroy-infrastructure" and "environment" not in job:
            problem(name, f"job {job_name} destroys without an approval environment")
        if "terraform init" in runs and not all(
            f"-backend-config=\"{k}=" in runs for k in ("bucket", "region", "key")
        ):
            problem(name, f"job {job_name}: terraform init without bucket, region and key from config.json")
    runs = " ".join(step.get("run", "") for _, _, _, step in steps(doc))
    if event == "deploy-infrastructure":
        if not re.search(r"terraform plan .*-out=tfplan", runs) or "terraform apply -input=false -no-color tfplan" not in runs:
            problem(name, "does not plan then apply the saved plan")
        if "--infrastructure" not in runs:
            problem(name, "does not cross-check config.json with the tfvars before deploying")
    else:
        if "plan -destroy" not in runs:
            problem(name, "does not plan -destroy")

if load("deploy-infrastructure.yml")["concurrency"]["group"] != load("destroy-infrastructure.yml")["concurrency"]["group"]:
    problem("destroy-infrastructure.yml", "concurrency group differs from deploy-infrastructure.yml's")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
