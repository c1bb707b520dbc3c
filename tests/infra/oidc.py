"""Who may assume the roles infrastructure/iam makes through GitHub's OIDC provider, checked
against the workflows that assume them. Prints one line per problem ("<file>: <what>") and
exits 1 on any.
    python3 oidc.py ROOT
- every role trusting GitHub's OIDC provider limits the subject claim with the subjects
  built by iam/oidc-subjects (named environments and branches), never repo:O/R:*;
- the workflow role trusts the workflow role environments, the Terraform role the Terraform
  ones;
- every job that changes production (terraform apply, snapshot restore, run-task) runs in a
  GitHub environment, and every environment a job assumes a role from is trusted by that
  role's default (variables.tf), and every trusted environment is used."""
import glob
import json
import os
import re
import subprocess
import sys

import yaml

root = sys.argv[1]
iam = os.path.join(root, "infrastructure", "iam")
problems = []


def problem(path, what):
    problems.append(f"{os.path.relpath(path, root)}: {what}")


tf_files = sorted(glob.glob(os.path.join(iam, "*.tf")))
hcl = json.loads(subprocess.run(
    ["node", os.path.join(os.path.dirname(__file__), "hcl2json.js"), *tf_files],
    check=True, capture_output=True, text=True).stdout)
main_tf = os.path.join(iam, "main.tf")

for f in tf_files:
    for m in re.finditer(r'"(repo:[^"]*:\*)"', open(f).read()):
        problem(f, f"trusts {m.group(1)}: every ref of the repository may assume the role")


def blocks(kind, typ):
    out = {}
    for f, doc in hcl.items():
        for name, bs in (doc.get(kind, {}).get(typ, {}) or {}).items():
            out[name] = (f, bs[0])
    return out


modules = {}
for f, doc in hcl.items():
    for name, bs in (doc.get("module") or {}).items():
        modules[name] = (f, bs[0])
documents = blocks("data", "aws_iam_policy_document")
variables = {}
for f, doc in hcl.items():
    for name, bs in (doc.get("variable") or {}).items():
        variables[name] = bs[0]

ROLE_ENVS = {"workflows": "workflow_role_environments", "terraform": "terraform_role_environments"}
ROLE_VARS = {"AWS_ROLE_ARN": "workflows", "AWS_TERRAFORM_ROLE_ARN": "terraform"}

for role, (f, r) in blocks("resource", "aws_iam_role").items():
    ref = re.fullmatch(r'\$\{data\.aws_iam_policy_document\.(\w+)(?:\["(\w+)"\])?\.json\}', str(r.get("assume_role_policy", "")))
    if not ref or ref.group(1) not in documents:
        continue
    df, doc = documents[ref.group(1)]
    for st in doc.get("statement", []):
        if "sts:AssumeRoleWithWebIdentity" not in st.get("actions", []):
            continue
        subs = [c for c in st.get("condition", []) if c.get("variable") == "token.actions.githubusercontent.com:sub"]
        if not subs:
            problem(df, f"role {role}: no condition on token.actions.githubusercontent.com:sub (any repository could assume it)")
            continue
        values = subs[0].get("values")
        if values == "${each.value}" and ref.group(2):
            values = doc.get("for_each", {}).get(ref.group(2))
        m = re.fullmatch(r"\$\{module\.(\w+)\.subjects\}", str(values))
        if not m or m.group(1) not in modules or modules[m.group(1)][1].get("source") != "./oidc-subjects":
            problem(df, f"role {role}: subjects {values!r} are not built by ./oidc-subjects")
            continue
        want = ROLE_ENVS.get(role)
        got = modules[m.group(1)][1].get("environments")
        if want and got != "${var." + want + "}":
            problem(modules[m.group(1)][0], f"role {role}: trusts the environments {got}, expected var.{want}")

# the workflows against the roles' default environments
defaults = {role: set(variables.get(v, {}).get("default") or []) for role, v in ROLE_ENVS.items()}
used = {role: set() for role in ROLE_ENVS}
PRODUCTION = re.compile(r"terraform apply|orchestrator snapshot restore|orchestrator run-task")
for path in sorted(glob.glob(os.path.join(root, ".github", "workflows", "*.yml"))):
    wf = yaml.safe_load(open(path))
    for job_name, job in (wf.get("jobs") or {}).items():
        env = job.get("environment")
        env = env.get("name") if isinstance(env, dict) else env
        runs = " ".join(s.get("run", "") for s in job.get("steps", []))
        if PRODUCTION.search(runs) and not env:
            problem(path, f"job {job_name} changes production outside a GitHub environment")
        for s in job.get("steps", []):
            if not str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
                continue
            var = re.fullmatch(r"\$\{\{\s*vars\.(\w+)\s*\}\}", str((s.get("with") or {}).get("role-to-assume", "")))
            role = ROLE_VARS.get(var.group(1)) if var else None
            if not role:
                continue
            if env:
                used[role].add(env)
                if env not in defaults[role]:
                    problem(path, f"job {job_name} assumes the {role} role in environment {env}, which "
                            f"infrastructure/iam does not trust: add it to {ROLE_ENVS[role]}")
for role, envs in defaults.items():
    for env in sorted(envs - used[role]):
        problem(os.path.join(iam, "variables.tf"), f"{ROLE_ENVS[role]} trusts {env}, which no job uses")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
