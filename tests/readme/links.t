#!/usr/bin/env bash
# Every in-page link of README.md ([text](#anchor)) reaches a heading or an explicit
# <a id>, with GitHub's anchor rule (lower case, punctuation but '-' and '_' dropped, spaces
# to '-', a repeated heading gets -1, -2, ...). The newcomer sections link into the
# command reference; a renamed heading must not leave a dead link behind.
source "$(dirname "$0")/../lib/tap.sh"
cat >"$T_TMP/links.py" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
lines, fence = [], None
for l in text.split("\n"):
    m = re.match(r"^\s*(```+|~~~+)", l)
    if m:
        fence = None if fence and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) else (fence or m.group(1))
        continue
    if not fence:
        lines.append(l)
seen, anchors = {}, set(re.findall(r'<a id="([^"]+)"', text))
for l in lines:
    m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", l)
    if not m:
        continue
    a = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
    n = seen.get(a, 0)
    seen[a] = n + 1
    anchors.add(a if n == 0 else "%s-%d" % (a, n))
body = "\n".join(lines)
links = sorted(set(re.findall(r"\]\(#([^)\s]+)\)", body)))
dead = [a for a in links if a not in anchors]
print("%d links" % len(links))
for a in dead:
    print("dead link: #" + a)
sys.exit(1 if dead else 0)
PY
t_run python3 "$T_TMP/links.py" "$ROOT/README.md"
if [ "$T_RC" -eq 0 ]; then
	t_pass "every in-page link of README.md has its heading"
else
	t_fail "every in-page link of README.md has its heading" "$T_OUT" "$T_ERR"
fi
t_like "$T_OUT" "^[1-9][0-9]* links" "links were found (the check ran)"
t_done
