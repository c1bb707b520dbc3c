#!/usr/bin/env bash
# README's Security section (issue 14) says what is trusted, what is not, and how to
# report a vulnerability privately; its Concurrency part says what happens to a queued
# operation. Each claim it makes about output is held by a test: the section names them.
source "$(dirname "$0")/../lib/tap.sh"
cd "$ROOT" || exit 1
sec=$(awk '/^## Security$/{on=1;print;next} on&&/^## /{exit} on' README.md)
t_like "$sec" "\*\*Trusted\*\*: " "a Trusted part"
t_like "$sec" "\*\*Not trusted\*\*: anything a person with push access" "a Not trusted part"
t_like "$sec" "\*\*Reporting a vulnerability\*\*: do not open a public issue" "how to report, privately"
t_like "$sec" "##\[command\]" "the runner's older command form is named"
conc=$(awk '/^### Concurrency: what happens to a queued operation$/{on=1;next} on&&/^##/{exit} on' README.md)
t_like "$conc" "GitHub cancels the waiting one" "Concurrency says what GitHub does"
t_like "$conc" "trigger_workflow. looks before it sends" "and what trigger does about it"
t_like "$conc" "queue: max" "and what GitHub offers now"
t_done
