# Helpers bench/run.sh and bench/compare.sh share: sourced, with HOST (and, for registered_at,
# PY and APP_HOSTNAME) set by the caller.

fail() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

is_running() { [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

show_tail() {
	local file="$1"
	[[ -f "$file" ]] || return 0
	echo "--- last lines of $file ---" >&2
	tail -n 30 "$file" >&2
	echo "---" >&2
}

# wait_until TIMEOUT DESCRIPTION PID LOG -- COMMAND...: until COMMAND succeeds, while PID lives.
wait_until() {
	local timeout="$1" what="$2" pid="$3" logfile="$4" start=$SECONDS
	shift 5
	until "$@"; do
		if ! is_running "$pid"; then show_tail "$logfile"; fail "$what: the process exited"; fi
		if ((SECONDS - start >= timeout)); then show_tail "$logfile"; fail "$what: not ready within ${timeout}s"; fi
		sleep 0.2
	done
}

# registered_at API_PORT STATUS_FILE: how many tunnel connections the edge whose API listens on
# API_PORT has registered for APP_HOSTNAME (its /status saved to STATUS_FILE on the way).
registered_at() {
	curl -s --max-time 2 "http://$HOST:$1/status" >"$2" 2>/dev/null || true
	python3 "$PY" registered "$2" "$APP_HOSTNAME"
}
