#!/usr/bin/env bash
# schema-docs --commit and --push on real repositories: exactly one commit of README.md
# alone as the gitbot of config.json, none when nothing changed, and a push that was
# rejected because another clone pushed first is retried on top of the remote.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
psql -qX -v ON_ERROR_STOP=1 -c "CREATE TABLE widget (id int PRIMARY KEY, name text)" >/dev/null
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP
git config --global user.name "Human Dev"
git config --global user.email dev@example.test
git config --global init.defaultBranch main

remote=$T_TMP/remote.git
git init -q --bare "$remote"
git clone -q "$remote" "$T_TMP/a" 2>/dev/null
cd "$T_TMP/a" || exit 1
sed -e 's/"gitbotName": "[^"]*"/"gitbotName": "docs-bot"/' \
    -e 's/"gitbotEmail": "[^"]*"/"gitbotEmail": "docs-bot@example.test"/' "$ROOT/config.json" >config.json
printf '# Project\n\nIntro.\n' >README.md
echo "notes" >NOTES.md
git add . && git commit -qm "initial" && git push -q origin main 2>/dev/null
t_is "$?" 0 "a repository with a bare remote"

echo "unrelated work in progress" >>NOTES.md
t_ok "schema-docs --commit" "$ORC" schema-docs --url "$PG_URL" --commit
t_like "$T_OUT" "committed [0-9a-f]{40} as docs-bot <docs-bot@example.test>" "it reports the commit"
t_is "$(git rev-list --count HEAD)" 2 "exactly one commit"
t_is "$(git log -1 --format='%an <%ae>|%cn <%ce>')" "docs-bot <docs-bot@example.test>|docs-bot <docs-bot@example.test>" "author and committer are the gitbot from config.json"
t_is "$(git show --name-only --format= HEAD)" "README.md" "the commit holds README.md alone"
t_like "$(git log -1 --format=%s)" "^docs: " "a conventional commit message"
t_like "$(git status --porcelain)" "^ M NOTES.md$" "other work in the tree is left alone"
t_is "$(git show HEAD:README.md)" "$(cat README.md)" "the committed README is the rendered one"
t_ok "second --commit" "$ORC" schema-docs --url "$PG_URL" --commit
t_like "$T_OUT" "nothing to commit" "it says there is nothing to commit"
t_is "$(git rev-list --count HEAD)" 2 "no second commit when unchanged"
git checkout -q NOTES.md

# Another clone pushes first: the push is rejected, then retried on top of it.
git clone -q "$remote" "$T_TMP/b" 2>/dev/null
(cd "$T_TMP/b" && sed -i 's/^Intro\.$/Intro, edited by someone else./' README.md &&
	git commit -qam "edit intro" && git push -q origin main 2>/dev/null)
psql -qX -c "ALTER TABLE widget ADD COLUMN colour text" >/dev/null
t_ok "schema-docs --push after another clone pushed" "$ORC" schema-docs --url "$PG_URL" --push
t_like "$T_ERR" "push rejected \(attempt 1 of 5\)" "the first push was rejected as not fast-forward"
t_like "$T_OUT" "pushed to origin" "the retry pushed"
t_is "$(git --git-dir="$remote" log -1 --format='%an' main)" "docs-bot" "the remote tip is the gitbot's commit"
t_is "$(git --git-dir="$remote" log -2 --format='%s' main | tail -1)" "edit intro" "on top of the other clone's commit"
remote_readme=$(git --git-dir="$remote" show main:README.md)
t_like "$remote_readme" "Intro, edited by someone else\." "the other clone's edit is kept"
t_like "$remote_readme" "\| colour \|" "the new column is documented"
t_is "$(git --git-dir="$remote" rev-list --count main)" 3 "one generated commit on top (initial, edit intro, docs)"
t_ok "--push again" "$ORC" schema-docs --url "$PG_URL" --push
t_is "$(git --git-dir="$remote" rev-list --count main)" 3 "no new commit when nothing changed"

# --push after the remote moved on, in a clone with work of its own: an unpushed commit and
# an uncommitted change to another file survive; the docs commit is redone on the new tip.
echo "local" >LOCAL.md && git add LOCAL.md && git commit -qm "local, not pushed"
echo "work in progress" >>NOTES.md
(cd "$T_TMP/b" && git pull -q && echo "theirs" >THEIRS.md && git add THEIRS.md &&
	git commit -qm "theirs" && git push -q origin main 2>/dev/null)
psql -qX -c "ALTER TABLE widget ADD COLUMN size int" >/dev/null
t_ok "--push with local work after the remote moved on" "$ORC" schema-docs --url "$PG_URL" --push
t_is "$(git --git-dir="$remote" log -3 --format='%s' main | tr '\n' '|')" \
	"docs: regenerate the Database Documentation section|local, not pushed|theirs|" \
	"the unpushed local commit is pushed, replayed on the other clone's, docs on top"
t_is "$(git status --porcelain)" " M NOTES.md" "the uncommitted change is still there, uncommitted"
t_like "$(cat NOTES.md)" "work in progress" "with its text"
t_like "$(git show main:README.md)" "\| size \|" "the README was rendered again on the new tip"

# ... and when the remote changed the file with the uncommitted change, it stops: one line,
# nothing changed.
(cd "$T_TMP/b" && git pull -q && echo "their notes" >NOTES.md && git commit -qam "their notes" &&
	git push -q origin main 2>/dev/null)
psql -qX -c "ALTER TABLE widget ADD COLUMN weight int" >/dev/null
t_run "$ORC" schema-docs --url "$PG_URL" --push
t_is "$T_RC" 1 "a push that cannot be redone without losing work fails"
t_like "$T_ERR" "origin/main moved on and changed files with uncommitted changes here \(NOTES.md\); nothing was changed here" "saying why and that nothing changed"
t_is "$(git status --porcelain)" " M NOTES.md" "the uncommitted change is kept"
t_like "$(cat NOTES.md)" "work in progress" "with its text"
t_is "$(git log -1 --format=%s)" "docs: regenerate the Database Documentation section" "our commit stays local, for a re-run"
git checkout -q NOTES.md

# Killed just before the README's rename, or while libgit2 held .git/index.lock: the re-run
# removes our own stale temporary file and lock and converges (one commit, clean tree).
psql -qX -c "ALTER TABLE widget ADD COLUMN note text" >/dev/null
before=$(git rev-list --count HEAD)
echo "half a README" >README.md.tmp # our temporary name (the README is streamed)
echo 4194305 >.git/orchestrator-index.pid && touch .git/index.lock
t_ok "schema-docs --commit after a killed run" "$ORC" schema-docs --url "$PG_URL" --commit
t_is "$(git rev-list --count HEAD)" "$((before + 1))" "one commit"
t_is "$(git status --porcelain)" "" "a clean tree: no temporary file left, no lock"
t_ok "and no lock in .git" test ! -e .git/index.lock

# The split layout: the README and every docs file in one commit; a dropped table's file
# removed in the next one.
psql -qX -c "CREATE TABLE gadget (id int PRIMARY KEY, widget_id int REFERENCES widget)" >/dev/null
t_ok "--commit with a split layout" "$ORC" schema-docs --url "$PG_URL" --commit --split-size 500
t_is "$(git show --name-only --format= HEAD | sort | tr '\n' ' ')" "README.md docs/database/public.md docs/database/public/gadget.md docs/database/public/widget.md " "one commit holds the README and every docs file"
t_is "$(git status --porcelain)" "" "nothing is left uncommitted"
psql -qX -c "DROP TABLE gadget" >/dev/null
t_ok "--commit after a table is dropped" "$ORC" schema-docs --url "$PG_URL" --commit --split-size 500
t_like "$(git show --name-status --format= HEAD)" $'D\tdocs/database/public/gadget.md' "its file is deleted in the commit"
t_is "$(git status --porcelain)" "" "and the tree is clean"

# A push race in the split layout where the other side's commit brings a generated file
# this rendering does not have: the sync brings it, the redo removes it, and the removal is
# in the same commit (the remote never keeps it, the tree is clean).
git fetch -q origin && git reset -q --hard origin/main # start even with the remote
(cd "$T_TMP/b" && git pull -q && mkdir -p docs/database/public &&
	printf '<!-- Generated by orchestrator schema-docs from the database catalog: edit the SQL in sql/, not this file. -->\n\nold\n' >docs/database/public/old_thing.md &&
	git add docs && git commit -qm "an older run's file" && git push -q origin main 2>/dev/null)
psql -qX -c "ALTER TABLE widget ADD COLUMN depth int" >/dev/null
t_ok "--push in the split layout after the remote brought a stale generated file" "$ORC" schema-docs --url "$PG_URL" --push --split-size 500
t_like "$T_ERR" "push rejected \(attempt 1 of 5\)" "the first push was rejected"
t_like "$(git --git-dir="$remote" show --name-status --format= main)" $'D\tdocs/database/public/old_thing.md' "the docs commit on the remote removes the stale file"
t_run git --git-dir="$remote" cat-file -e main:docs/database/public/old_thing.md
t_isnt_zero() { if [ "$1" -ne 0 ]; then t_pass "$2"; else t_fail "$2"; fi; }
t_isnt_zero "$T_RC" "the remote tip does not have it"
t_is "$(git status --porcelain)" "" "the tree is clean"

t_run "$ORC" schema-docs --url "$PG_URL" --check --commit
t_is "$T_RC" 2 "--check with --commit is a usage error"
t_done
