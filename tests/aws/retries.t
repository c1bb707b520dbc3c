#!/usr/bin/env bash
# The retry policy against moto_server behind the fault proxy (tests/run_task/proxy.py):
# AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and the profile's retry_mode / max_attempts, the
# standard mode's 3 attempts, an operation's retry budget carrying a call past them,
# AWS_MAX_ATTEMPTS as a hard cap, and clock-skew correction from a server that checks
# request time (the proxy answers RequestTimeTooSkewed with its own clock in Date).
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
DRV=${ORC_TEST_BIN_DIR:-$ROOT/build/tests}/aws/aws_test
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
export ORC_AWS_RETRY_BASE_MS=10
PPORT=$(t_free_port)
mkdir -p "$T_TMP/proxy"
python3 "$ROOT/tests/run_task/proxy.py" "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/proxy" 2>"$T_TMP/proxy.err" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 10
PROXY=http://127.0.0.1:$PPORT
LIST=(json ecs AmazonEC2ContainerServiceV20141113.ListClusters '{}')
fail() { echo "$*" >"$T_TMP/proxy/fail"; }

# ---- configuration, as the SDKs read it
t_run "$DRV" retry
t_is "$T_OUT" "standard 3" "default: standard mode, 3 attempts"
t_run env AWS_RETRY_MODE=legacy "$DRV" retry
t_is "$T_OUT" "legacy 5" "AWS_RETRY_MODE=legacy: 5 attempts"
printf '[default]\nretry_mode = adaptive\nmax_attempts = 7\n[profile other]\nmax_attempts = 2\n' >"$AWS_CONFIG_FILE"
t_run "$DRV" retry
t_is "$T_OUT" "adaptive 7" "config file: retry_mode and max_attempts of the default profile"
t_run env AWS_PROFILE=other "$DRV" retry
t_is "$T_OUT" "standard 2" "config file: the profile's max_attempts (AWS_PROFILE)"
t_run env AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=4 "$DRV" retry
t_is "$T_OUT" "standard 4" "environment before the config file"
: >"$AWS_CONFIG_FILE"
t_run env AWS_RETRY_MODE=fast "$DRV" retry
t_is "$T_RC" 2 "AWS_RETRY_MODE=fast: usage error"
t_like "$T_ERR" '^AWS_RETRY_MODE=fast: expected standard, adaptive or legacy' "AWS_RETRY_MODE=fast: named, with the choices"
t_run env AWS_MAX_ATTEMPTS=0 "$DRV" retry
t_is "$T_RC" 2 "AWS_MAX_ATTEMPTS=0: usage error"
printf '[default]\nmax_attempts = many\n' >"$AWS_CONFIG_FILE"
t_run "$DRV" retry
t_like "$T_ERR" '^max_attempts in the AWS config file=many: expected a whole number' "config max_attempts=many: named"
: >"$AWS_CONFIG_FILE"

# ---- attempts and budget
fail ListClusters 4 503
t_run env AWS_ENDPOINT_URL=$PROXY "$DRV" "${LIST[@]}"
t_is "$T_RC" 1 "4 failures, standard mode, no budget: the call fails"
t_like "$T_ERR" 'HTTP503.*gave up after 3 attempts' "no budget: 3 attempts, as the SDKs"
fail ListClusters 4 503
t_run env AWS_ENDPOINT_URL=$PROXY AWS_RETRY_MODE=legacy "$DRV" "${LIST[@]}"
t_is "$T_RC" 0 "4 failures, legacy mode: passes on the 5th attempt"
t_like "$T_ERR" 'calls=5$' "legacy: 5 attempts"
fail ListClusters 5 drop
t_run env AWS_ENDPOINT_URL=$PROXY AWS_TEST_BUDGET=30 "$DRV" "${LIST[@]}"
t_is "$T_RC" 0 "5 dropped connections within an operation's budget: the call passes"
t_like "$T_ERR" 'calls=6$' "budget: retried past 3 attempts until it passed"
fail ListClusters 5 throttle
t_run env AWS_ENDPOINT_URL=$PROXY AWS_TEST_BUDGET=30 AWS_RETRY_MODE=adaptive "$DRV" "${LIST[@]}"
t_is "$T_RC" 0 "adaptive mode, 5 throttling answers within the budget: passes"
fail ListClusters 5 503
t_run env AWS_ENDPOINT_URL=$PROXY AWS_TEST_BUDGET=30 AWS_MAX_ATTEMPTS=2 "$DRV" "${LIST[@]}"
t_is "$T_RC" 1 "AWS_MAX_ATTEMPTS=2: a hard cap, budget or not"
t_like "$T_ERR" 'calls=2$' "AWS_MAX_ATTEMPTS=2: two attempts"
fail ListClusters 100 503
t_run env AWS_ENDPOINT_URL=$PROXY AWS_TEST_BUDGET=0.5 ORC_AWS_RETRY_BASE_MS=100 "$DRV" "${LIST[@]}"
t_is "$T_RC" 1 "a budget spent: the call fails"
t_like "$T_ERR" 'gave up after [0-9]+ attempts and the retry budget' "a budget spent: says so"
rm -f "$T_TMP/proxy/fail"

# ---- clock skew: the proxy's clock is an hour ahead and refuses requests dated by ours
echo 3600 >"$T_TMP/proxy/skew"
: >"$T_TMP/proxy/faults.log"
t_run env AWS_ENDPOINT_URL=$PROXY "$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_is "$T_RC" 0 "clock an hour behind: corrected from the Date header, the call passes"
t_like "$T_ERR" 'the clock is 3[56][0-9][0-9] s behind AWS' "clock skew: warned once, with the offset"
t_like "$T_ERR" 'calls=2$' "clock skew: one refused attempt, one resend"
t_is "$(grep -c skew "$T_TMP/proxy/faults.log")" 1 "clock skew: the proxy refused exactly one request"
echo -3600 >"$T_TMP/proxy/skew"
t_run env AWS_ENDPOINT_URL=$PROXY "$DRV" "${LIST[@]}"
t_is "$T_RC" 0 "clock an hour ahead (JSON protocol): corrected too"
t_like "$T_ERR" 'ahead of AWS' "clock ahead: says so"
rm -f "$T_TMP/proxy/skew"
t_done
