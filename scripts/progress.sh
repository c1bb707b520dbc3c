# progress.sh: the shell side of core/progress, for trigger_workflow and scripts/local-pg.
#   progress_run WHAT LOG CMD...  runs CMD (its output to LOG) and says on stderr what it
#   waits for: on a terminal one line rewritten each second, "WHAT... 12 s", cleared at the
#   end; in logs (not a terminal, TERM=dumb, GitHub Actions) "WHAT..." before and
#   "WHAT: done in 12 s" after; nothing when PROGRESS_QUIET=1. Returns CMD's status.
# A sourced file: POSIX sh, no `set` of its own.

progress_elapsed() {
	if [ "$1" -lt 60 ]; then
		printf '%d s' "$1"
	else
		printf '%d min %02d s' $(($1 / 60)) $(($1 % 60))
	fi
}

progress_run() {
	_what=$1 _log=$2
	shift 2
	if [ "${PROGRESS_QUIET:-0}" = 1 ]; then
		"$@" >"$_log" 2>&1
		return
	fi
	_start=$(date +%s)
	if [ -t 2 ] && [ "${TERM:-}" != dumb ] && [ "${GITHUB_ACTIONS:-}" != true ]; then
		printf '\r%s... 0 s\033[K' "$_what" >&2
		# The ticker redraws the line each second; the command itself is waited for
		# directly, so its end is seen at once.
		(while sleep 1; do
			printf '\r%s... %s\033[K' "$_what" "$(progress_elapsed $(($(date +%s) - _start)))" >&2
		done) &
		_ticker=$!
		_rc=0
		"$@" >"$_log" 2>&1 || _rc=$?
		kill "$_ticker" 2>/dev/null
		wait "$_ticker" 2>/dev/null
		printf '\r\033[K' >&2
		return $_rc
	fi
	printf '%s...\n' "$_what" >&2
	_rc=0
	"$@" >"$_log" 2>&1 || _rc=$?
	[ $_rc -ne 0 ] || printf '%s: done in %s\n' "$_what" "$(progress_elapsed $(($(date +%s) - _start)))" >&2
	return $_rc
}
