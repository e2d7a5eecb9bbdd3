#!/usr/bin/env bash
#
# Warp benchmark: the same workloads against four targets on this machine, in one run.
#
#   direct  the app's own HTTP port on loopback (the limit)
#   nginx   an nginx reverse-proxy hop in front of that port (the best plain proxy)
#   ssh     an OpenSSH reverse tunnel (ssh -R) through a throwaway sshd on loopback
#   warp    the edge's public port, through the tunnel into the starter in the app
#
# Usage: bench/run.sh [options]      (see bench/README.md)
#
#   --quick            smoke run: 1 repetition, 3 s runs, 256 MiB transfers, short idle wait
#   --reps N           repetitions of every measurement; the median is reported (default 3)
#   --duration S       seconds of each timed load run (default 10)
#   --targets LIST     comma-separated subset of: direct,nginx,ssh,warp
#   --workloads LIST   comma-separated subset of:
#                      get1,get64,h2,post,chunked64,peer64,download,upload,longpoll,idle
#   --out FILE         where to write the Markdown report (default bench/results/<date>.md,
#                      bench/results/<date>-quick.md with --quick)
#   --no-build         use the jars already built, even when sources are newer
#   --install          install missing tools with apt-get (needs root or sudo)
#   --keep-work        keep the temporary directory (configs, keys, logs, raw tool output)
#   --update-readme    put the report into bench/README.md's "Latest results" section
#
# Environment: BENCH_MAVEN_ARGS  extra arguments for ./mvnw when a build is needed (e.g. -o)
#
# Everything binds to 127.0.0.1 on ports the OS reports free; configs, keys, pid files and
# logs live in a temporary directory that is removed at the end (kept when something failed).

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
PY="$BENCH_DIR/lib/bench.py"
# shellcheck source=lib/processes.sh
source "$BENCH_DIR/lib/processes.sh"
COMMAND_LINE="bench/run.sh${*:+ $*}"

HOST=127.0.0.1
APP_HOSTNAME=bench.warp.test
JVM_FLAGS=(-Xms512m -Xmx512m -XX:+UseParallelGC)
EDGE_JAR="$ROOT/warp-edge/target/warp-edge.jar"
APP_JAR="$ROOT/bench-app/target/bench-app.jar"
INSTALL_PACKAGES=(wrk nghttp2-client nginx openssh-server openssh-client curl python3 redis-server)
INSTALL_CMD="apt-get install -y ${INSTALL_PACKAGES[*]}"

QUICK=0
REPS=3
DURATION=10
TARGETS_ARG="direct,nginx,ssh,warp"
WORKLOADS_ARG="get1,get64,h2,post,chunked64,peer64,download,upload,longpoll,idle"
OUT=""
NO_BUILD=0
INSTALL=0
KEEP_WORK=0
UPDATE_README=0
reps_set=0
duration_set=0

while (($#)); do
	case "$1" in
	--quick) QUICK=1 ;;
	--reps) REPS="$2"; reps_set=1; shift ;;
	--duration) DURATION="$2"; duration_set=1; shift ;;
	--targets) TARGETS_ARG="$2"; shift ;;
	--workloads) WORKLOADS_ARG="$2"; shift ;;
	--out) OUT="$2"; shift ;;
	--no-build) NO_BUILD=1 ;;
	--install) INSTALL=1 ;;
	--keep-work) KEEP_WORK=1 ;;
	--update-readme) UPDATE_README=1 ;;
	-h | --help) sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

if ((QUICK)); then
	((reps_set)) || REPS=1
	((duration_set)) || DURATION=3
	TRANSFER_BYTES=$((256 * 1024 * 1024)); TRANSFER_LABEL="256 MiB"
	WARMUP_ROUNDS=1; WARMUP_LONG=2; WARMUP_SHORT=1; WARMUP_TRANSFER_BYTES=$((128 * 1024 * 1024))
	LP_COUNT=10000; LP_MS=5000
	IDLE_SETTLE=3
else
	TRANSFER_BYTES=$((1024 * 1024 * 1024)); TRANSFER_LABEL="1 GiB"
	# The JVMs (app and edge) keep compiling for about 45 s of load and 1-2 GiB of transfers: less
	# warm-up measured them at up to a quarter below their steady state (the same for every target).
	WARMUP_ROUNDS=3; WARMUP_LONG=8; WARMUP_SHORT=4; WARMUP_TRANSFER_BYTES=$((512 * 1024 * 1024))
	LP_COUNT=10000; LP_MS=8000
	IDLE_SETTLE=10
fi
LP_CONNS=100
LP_STREAMS=$(((LP_COUNT + LP_CONNS - 1) / LP_CONNS))
TRANSFER_TIMEOUT=300
DATE="$(date -u +%Y-%m-%d)"
if [[ -z "$OUT" ]]; then
	if ((QUICK)); then OUT="$BENCH_DIR/results/$DATE-quick.md"; else OUT="$BENCH_DIR/results/$DATE.md"; fi
fi

IFS=, read -r -a TARGETS <<<"$TARGETS_ARG"
IFS=, read -r -a WORKLOADS <<<"$WORKLOADS_ARG"
for t in "${TARGETS[@]}"; do
	[[ "$t" =~ ^(direct|nginx|ssh|warp)$ ]] || { echo "unknown target: $t" >&2; exit 2; }
done
for w in "${WORKLOADS[@]}"; do
	[[ "$w" =~ ^(get1|get64|h2|post|chunked64|peer64|download|upload|longpoll|idle)$ ]] || { echo "unknown workload: $w" >&2; exit 2; }
done
has_target() { [[ ",$TARGETS_ARG," == *",$1,"* ]]; }
has_workload() { [[ ",$WORKLOADS_ARG," == *",$1,"* ]]; }

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# ------------------------------------------------------------------------------ tools

find_tool() {
	local name="$1" dir
	if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
	for dir in /usr/sbin /sbin /usr/local/sbin; do
		[[ -x "$dir/$name" ]] && { echo "$dir/$name"; return 0; }
	done
	return 1
}

check_tools() {
	local missing=() tool needed=(wrk h2load curl python3 java jcmd jstat)
	has_target nginx && needed+=(nginx)
	has_target ssh && needed+=(sshd ssh ssh-keygen)
	has_workload peer64 && needed+=(redis-server)
	for tool in "${needed[@]}"; do
		find_tool "$tool" >/dev/null || missing+=("$tool")
	done
	if ((${#missing[@]})); then
		if ((INSTALL)) && [[ " ${missing[*]} " != *" java "* && " ${missing[*]} " != *" jcmd "* && " ${missing[*]} " != *" jstat "* ]]; then
			local sudo=()
			((EUID == 0)) || sudo=(sudo)
			log "installing: ${missing[*]}"
			"${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y "${INSTALL_PACKAGES[@]}"
			INSTALL=0
			check_tools
			return
		fi
		echo "missing tools: ${missing[*]}" >&2
		echo "install them (Debian/Ubuntu) with:" >&2
		echo "    sudo apt-get update && sudo $INSTALL_CMD" >&2
		echo "or run bench/run.sh --install. java, jcmd and jstat come with a JDK 17+ (e.g. openjdk-17-jdk-headless)." >&2
		exit 2
	fi
}
check_tools
NGINX="$(find_tool nginx || true)"
SSHD="$(find_tool sshd || true)"

# ------------------------------------------------------------------------------ build

needs_build() {
	[[ -f "$EDGE_JAR" && -f "$APP_JAR" ]] || return 0
	local oldest="$EDGE_JAR"
	[[ "$APP_JAR" -ot "$EDGE_JAR" ]] && oldest="$APP_JAR"
	[[ -n "$(find "$ROOT/pom.xml" "$ROOT"/{warp-core,warp-agent,warp-edge-engine,warp-edge,warp-spring-boot-autoconfigure,warp-spring-boot-starter,bench-app}/{pom.xml,src/main} \
		-newer "$oldest" -type f -print -quit 2>/dev/null)" ]]
}

if ((NO_BUILD)); then
	[[ -f "$EDGE_JAR" && -f "$APP_JAR" ]] || fail "--no-build, but $EDGE_JAR or $APP_JAR is missing"
	log "using the jars already built (--no-build)"
elif needs_build; then
	log "building warp-edge and bench-app (and what they depend on, nothing else)"
	build_log="$(mktemp "${TMPDIR:-/tmp}/warp-bench-build.XXXXXX")"
	# shellcheck disable=SC2086 # BENCH_MAVEN_ARGS is a list of words
	if ! (cd "$ROOT" && ./mvnw -q -B ${BENCH_MAVEN_ARGS:-} -DskipTests -pl warp-edge,bench-app -am package) >"$build_log" 2>&1; then
		grep -m 5 'ERROR' "$build_log" >&2 || tail -n 5 "$build_log" >&2
		[[ -f "$EDGE_JAR" && -f "$APP_JAR" ]] || fail "the build failed (full log: $build_log) and there are no jars to fall back on"
		log "WARNING: the build failed (full log: $build_log); using the last jars built ($(date -r "$APP_JAR" '+%F %T'))"
		BUILD_NOTE="The build failed at the time of the run; the last jars built ($(date -u -r "$APP_JAR" '+%F %T UTC')) were used."
	else
		rm -f "$build_log"
	fi
else
	log "jars are up to date; nothing to build"
fi

# ------------------------------------------------------------------------------ work dir, cleanup

WORK="$(mktemp -d "${TMPDIR:-/tmp}/warp-bench.XXXXXX")"
RESULTS="$WORK/results.jsonl"
FAILURES="$WORK/failures.txt"
NOTES="$WORK/notes.txt"
: >"$RESULTS"
: >"$FAILURES"
: >"$NOTES"
[[ -n "${BUILD_NOTE:-}" ]] && echo "$BUILD_NOTE" >>"$NOTES"

# Run copies of the jars: a build elsewhere in the tree may replace them while they run.
copy_jar() {
	local from="$1" to="$2"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		cp -p "$from" "$to" 2>/dev/null && python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).close()' "$to" 2>/dev/null && return 0
		sleep 3
	done
	fail "could not copy a complete $from (is a build rewriting it?)"
}
copy_jar "$EDGE_JAR" "$WORK/warp-edge.jar"
copy_jar "$APP_JAR" "$WORK/bench-app.jar"
EDGE_JAR="$WORK/warp-edge.jar"
APP_JAR="$WORK/bench-app.jar"

EDGE_PID="" APP_PID="" NGINX_PID="" SSHD_PID="" SSH_PID="" IDLE_PID="" LOAD_PID="" REDIS_PID="" NODE_A_PID="" NODE_B_PID=""

stop_pid() {
	local name="$1" pid="$2" waited=0
	is_running "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while is_running "$pid" && ((waited < 150)); do
		sleep 0.2
		waited=$((waited + 1))
	done
	if is_running "$pid"; then
		log "$name (pid $pid) did not stop within 30 s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_pid "load tool" "$LOAD_PID"
	stop_pid "ssh client" "$SSH_PID"
	stop_pid "sshd" "$SSHD_PID"
	stop_pid "nginx" "$NGINX_PID"
	stop_pid "idle app" "$IDLE_PID"
	stop_pid "app" "$APP_PID"
	stop_pid "edge" "$EDGE_PID"
	stop_pid "edge node a" "$NODE_A_PID"
	stop_pid "edge node b" "$NODE_B_PID"
	stop_pid "redis" "$REDIS_PID"
	if ((KEEP_WORK)) || [[ -s "$FAILURES" ]] || ((rc != 0)); then
		log "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


read -r APP_PORT EDGE_PUBLIC EDGE_TUNNEL EDGE_API NGINX_PORT NGINX_H2_PORT SSHD_PORT SSH_REMOTE_PORT IDLE_PORT \
	EDGE_PROVISIONING <<<"$(python3 "$PY" freeport 10)"

# The edge the warp target goes through: the edge above, except during the peer64 workload (see
# use_peer_nodes). WARP_PIDS are the edge's processes on the path, WARP_DIR its data directory,
# WARP_CREDENTIALS where the app keeps the origin certificate that edge issued.
WARP_PUBLIC="$EDGE_PUBLIC" WARP_TUNNEL="$EDGE_TUNNEL" WARP_API="$EDGE_API" WARP_PROVISIONING="$EDGE_PROVISIONING"
WARP_DIR="$WORK/edge" WARP_LOG="$WORK/edge.log" WARP_PIDS="" WARP_CREDENTIALS="$WORK/credentials"

# ------------------------------------------------------------------------------ processes

start_edge() {
	log "starting the edge: public $EDGE_PUBLIC, tunnel $EDGE_TUNNEL, api $EDGE_API"
	java "${JVM_FLAGS[@]}" -jar "$EDGE_JAR" \
		--edge.node-id=bench-edge \
		--edge.bind-address="$HOST" \
		--edge.public.port="$EDGE_PUBLIC" \
		--edge.tunnel.port="$EDGE_TUNNEL" \
		--edge.api.port="$EDGE_API" \
		--edge.provisioning.port="$EDGE_PROVISIONING" \
		--edge.data-dir="$WORK/edge" \
		>"$WORK/edge.log" 2>&1 </dev/null &
	EDGE_PID=$!
	WARP_PIDS="$EDGE_PID"
	edge_ready() { [[ -f "$WORK/edge/ca.pem" ]] && port_open "$EDGE_PUBLIC" && port_open "$EDGE_TUNNEL" && port_open "$EDGE_API"; }
	wait_until 90 "edge startup" "$EDGE_PID" "$WORK/edge.log" -- edge_ready
	# The apps obtain their origin certificate with this token; through the environment, not argv.
	WARP_TOKEN="$(java -jar "$EDGE_JAR" token create --zone "$APP_HOSTNAME" --data-dir "$WORK/edge" 2>/dev/null)" \
		|| fail "could not create an account token in $WORK/edge"
	export WARP_TOKEN
}

registered_count() { registered_at "$WARP_API" "$WORK/status.json"; }

registered_is() { [[ "$(registered_count)" == "$1" ]]; }

# start_app NAME CONNECTIONS: the benchmark app on APP_PORT with the tunnel open.
start_app() {
	local name="$1" connections="$2"
	log "starting the app ($name): port $APP_PORT, tunnel to $HOST:$WARP_TUNNEL with $connections connection(s)"
	java "${JVM_FLAGS[@]}" -jar "$APP_JAR" \
		--server.port="$APP_PORT" \
		--warp.hostname="$APP_HOSTNAME" \
		--warp.connections="$connections" \
		--warp.edge.addresses="$HOST:$WARP_TUNNEL" \
		--warp.edge.ca-certificate="$WARP_DIR/ca.pem" \
		--warp.edge.provisioning-url="https://$HOST:$WARP_PROVISIONING" \
		--warp.credentials-dir="$WARP_CREDENTIALS" \
		>"$WORK/app-$name.log" 2>&1 </dev/null &
	APP_PID=$!
	wait_until 90 "app startup ($name)" "$APP_PID" "$WORK/app-$name.log" -- port_open "$APP_PORT"
	if ! (wait_until 60 "tunnel registration ($name)" "$APP_PID" "$WORK/app-$name.log" -- registered_is "$connections"); then
		echo "app ($name): $connections tunnel connection(s) not registered within 60 s (registered: $(registered_count)); see app and edge logs" >>"$FAILURES"
		show_tail "$WARP_LOG"
		log "WARNING: the tunnel did not register; the warp target will fail"
	fi
}

start_nginx() {
	local dir="$WORK/nginx"
	mkdir -p "$dir/logs" "$dir/tmp"
	cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
worker_rlimit_nofile 40000;
$( ((EUID == 0)) && echo "user root;" )
events {
    worker_connections 20000;
}
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
    client_max_body_size 0;
    client_body_buffer_size 1m;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
    proxy_request_buffering off;
    proxy_buffering on;
    proxy_max_temp_file_size 0;
    proxy_buffer_size 16k;
    proxy_buffers 16 64k;
    proxy_busy_buffers_size 256k;
    proxy_read_timeout 300s;
    proxy_send_timeout 300s;
    upstream app {
        server $HOST:$APP_PORT;
        keepalive 256;
        keepalive_requests 10000000;
        keepalive_timeout 120s;
    }
    server {
        listen $HOST:$NGINX_PORT;
        location / {
            proxy_pass http://app;
        }
    }
    server {
        listen $HOST:$NGINX_H2_PORT http2;
        http2_max_concurrent_streams 128;
        location / {
            proxy_pass http://app;
        }
    }
}
EOF
	log "starting nginx: HTTP/1.1 on $NGINX_PORT, h2c on $NGINX_H2_PORT -> $APP_PORT"
	"$NGINX" -p "$dir" -c "$dir/nginx.conf" >"$dir/logs/stdout.log" 2>&1 </dev/null &
	NGINX_PID=$!
	wait_until 30 "nginx startup" "$NGINX_PID" "$dir/logs/error.log" -- port_open "$NGINX_PORT"
	wait_until 30 "nginx startup" "$NGINX_PID" "$dir/logs/error.log" -- port_open "$NGINX_H2_PORT"
}

start_ssh() {
	local dir="$WORK/ssh" user
	user="$(id -un)"
	mkdir -p "$dir"
	ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" >/dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key" >/dev/null
	cp "$dir/client_key.pub" "$dir/authorized_keys"
	cat >"$dir/sshd_config" <<EOF
ListenAddress $HOST
Port $SSHD_PORT
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding yes
GatewayPorts no
X11Forwarding no
PrintMotd no
LogLevel ERROR
EOF
	# sshd checks for its privilege separation directory when started as root.
	if ((EUID == 0)) && [[ ! -d /run/sshd ]]; then mkdir -p /run/sshd && chmod 0755 /run/sshd; fi
	log "starting sshd on $SSHD_PORT and ssh -R $SSH_REMOTE_PORT:$HOST:$APP_PORT"
	"$SSHD" -D -e -f "$dir/sshd_config" >"$dir/sshd.log" 2>&1 </dev/null &
	SSHD_PID=$!
	wait_until 30 "sshd startup" "$SSHD_PID" "$dir/sshd.log" -- port_open "$SSHD_PORT"
	ssh -F /dev/null -N -v \
		-o BatchMode=yes -o ExitOnForwardFailure=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o ServerAliveInterval=30 \
		-i "$dir/client_key" -p "$SSHD_PORT" \
		-R "$HOST:$SSH_REMOTE_PORT:$HOST:$APP_PORT" \
		"$user@$HOST" >"$dir/ssh.log" 2>&1 </dev/null &
	SSH_PID=$!
	wait_until 30 "ssh -R" "$SSH_PID" "$dir/ssh.log" -- port_open "$SSH_REMOTE_PORT"
	local cipher
	cipher="$(sed -n 's/.*kex: server->client cipher: \([^ ]*\).*/\1/p' "$dir/ssh.log" | head -n 1)"
	echo "ssh -R uses OpenSSH's defaults; negotiated cipher: ${cipher:-unknown}, no compression." >>"$NOTES"
}

# ------------------------------------------------------------------------------ targets

# The processes on the path of a target: their CPU time is what a run costs.
path_pids() {
	case "$1" in
	direct) echo "$APP_PID" ;;
	nginx) echo "$APP_PID $NGINX_PID" ;;
	ssh) echo "$APP_PID $SSHD_PID $SSH_PID" ;;
	warp) echo "$APP_PID $WARP_PIDS" ;;
	esac
}

target_url() {
	case "$1" in
	direct) echo "http://$HOST:$APP_PORT" ;;
	nginx) echo "http://$HOST:$NGINX_PORT" ;;
	ssh) echo "http://$HOST:$SSH_REMOTE_PORT" ;;
	warp) echo "http://$HOST:$WARP_PUBLIC" ;;
	esac
}

# h2c (prior knowledge) endpoint of a target.
target_h2_url() {
	case "$1" in
	nginx) echo "http://$HOST:$NGINX_H2_PORT" ;;
	*) target_url "$1" ;;
	esac
}

# Empty when every process on the path runs; otherwise which one does not.
path_dead() {
	local pid
	for pid in $(path_pids "$1"); do
		is_running "$pid" || { echo "process $pid on the path has exited"; return; }
	done
	[[ "$1" != warp ]] || [[ "$(registered_count)" != 0 ]] || echo "no tunnel connection registered at the edge"
}

# utime+stime, in clock ticks, of every process on the path of a target (and their children).
target_ticks() {
	# shellcheck disable=SC2046 # a list of pids
	python3 "$PY" ticks $(path_pids "$1")
}

RUN_SEQ=0

# record_failure WORKLOAD TARGET REP REASON OUTPUT_FILE
record_failure() {
	local workload="$1" target="$2" rep="$3" reason="$4" output="${5:-}"
	python3 "$PY" record "$RESULTS" workload="$workload" target="$target" rep="$rep" failed="$reason"
	{
		echo "$workload / $target / repetition $rep: $reason"
		if [[ -n "$output" && -s "$output" ]]; then
			echo "  tool output (last lines): $(tail -n 5 "$output" | tr '\n' ' ' | cut -c1-600)"
		fi
		if [[ "$target" == warp ]]; then
			echo "  edge log (last lines): $(tail -n 5 "$WARP_LOG" | tr '\n' ' ' | cut -c1-800)"
		fi
	} >>"$FAILURES"
	log "FAILED $workload / $target: $reason"
}

# measure TARGET OUT TIMEOUT -- COMMAND...: runs a load tool; prints the CPU seconds of the
# path, of the tool and of everything else on the machine meanwhile (JSON).
measure() {
	local target="$1" out="$2" timeout="$3"
	shift 4
	python3 "$PY" measure "$(path_pids "$target")" "$out" "$timeout" -- "$@"
}

# run_wrk WORKLOAD TARGET REP THREADS CONNECTIONS PATH [LUA_SCRIPT]
run_wrk() {
	local workload="$1" target="$2" rep="$3" threads="$4" conns="$5" path="$6" script="${7:-}"
	local out="$WORK/runs/$((++RUN_SEQ))-$workload-$target.txt" dead cpu parsed
	dead="$(path_dead "$target")"
	[[ -z "$dead" ]] || { record_failure "$workload" "$target" "$rep" "$dead"; return; }
	local args=(-t"$threads" -c"$conns" -d"${DURATION}s" --latency -H "Host: $APP_HOSTNAME")
	[[ -z "$script" ]] || args+=(-s "$script")
	cpu="$(measure "$target" "$out" $((DURATION + 30)) -- wrk "${args[@]}" "$(target_url "$target")$path")"
	if ! parsed="$(python3 "$PY" wrk "$out" 2>/dev/null)"; then
		record_failure "$workload" "$target" "$rep" "wrk produced no result" "$out"
		return
	fi
	python3 "$PY" record "$RESULTS" workload="$workload" target="$target" rep="$rep" "$parsed" "$cpu"
	log "  $workload $target: $(python3 "$PY" summary "$parsed")"
}

# run_h2load WORKLOAD TARGET REP: one connection, 100 concurrent streams, DURATION seconds.
run_h2load() {
	local workload="$1" target="$2" rep="$3"
	local out="$WORK/runs/$((++RUN_SEQ))-$workload-$target.txt" reqlog="$WORK/runs/$RUN_SEQ-$workload-$target.log"
	local dead cpu parsed
	dead="$(path_dead "$target")"
	[[ -z "$dead" ]] || { record_failure "$workload" "$target" "$rep" "$dead"; return; }
	cpu="$(measure "$target" "$out" $((DURATION + 30)) -- h2load -t1 -c1 -m100 -D "$DURATION" --log-file="$reqlog" \
		-H ":authority: $APP_HOSTNAME" "$(target_h2_url "$target")/small")"
	if ! parsed="$(python3 "$PY" h2load "$out" "$reqlog" 2>/dev/null)"; then
		record_failure "$workload" "$target" "$rep" "h2load produced no result" "$out"
		rm -f "$reqlog"
		return
	fi
	rm -f "$reqlog"
	if [[ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ok"])' "$parsed")" == 0 ]]; then
		record_failure "$workload" "$target" "$rep" "no request succeeded over HTTP/2" "$out"
		return
	fi
	python3 "$PY" record "$RESULTS" workload="$workload" target="$target" rep="$rep" "$parsed" "$cpu"
	log "  $workload $target: $(python3 "$PY" summary "$parsed")"
}

# run_transfer WORKLOAD(download|upload) TARGET REP [BYTES] [record|warmup]
run_transfer() {
	local workload="$1" target="$2" rep="$3" bytes="${4:-$TRANSFER_BYTES}" mode="${5:-record}"
	local out="$WORK/runs/$((++RUN_SEQ))-$workload-$target.txt" body="$WORK/runs/$RUN_SEQ-body.txt"
	local dead cpu code size time url max_time="$TRANSFER_TIMEOUT"
	dead="$(path_dead "$target")"
	[[ -z "$dead" ]] || { [[ "$mode" == warmup ]] || record_failure "$workload" "$target" "$rep" "$dead"; return; }
	[[ "$mode" != warmup ]] || max_time=20
	url="$(target_url "$target")"
	if [[ "$workload" == download ]]; then
		cpu="$(measure "$target" "$out" $((max_time + 10)) -- curl -s -o /dev/null --max-time "$max_time" \
			-H "Host: $APP_HOSTNAME" -w '%{http_code} %{size_download} %{time_total}' "$url/bytes?size=$bytes")"
	else
		[[ -f "$WORK/upload-$bytes.bin" ]] || truncate -s "$bytes" "$WORK/upload-$bytes.bin"
		# Into the page cache before the clock starts: the first upload of every repetition found it
		# evicted, and curl then spent 2 s more CPU, whichever target came first.
		cat "$WORK/upload-$bytes.bin" >/dev/null
		cpu="$(measure "$target" "$out" $((max_time + 10)) -- curl -s -o "$body" --max-time "$max_time" \
			-H "Host: $APP_HOSTNAME" -H 'Expect:' -H 'Content-Type: application/octet-stream' \
			-X POST -T "$WORK/upload-$bytes.bin" -w '%{http_code} %{size_upload} %{time_total}' "$url/sink")"
	fi
	[[ "$mode" != warmup ]] || return 0
	read -r code size time <"$out" || true
	if [[ "$code" != 200 || "$size" != "$bytes" ]] || { [[ "$workload" == upload ]] && [[ "$(cat "$body" 2>/dev/null || true)" != "$bytes" ]]; }; then
		local answer=""
		[[ "$workload" != upload ]] || answer=", answer '$(head -c 200 "$body" 2>/dev/null || true)'"
		record_failure "$workload" "$target" "$rep" "curl: status ${code:-none}, ${size:-0} of $bytes bytes transferred in ${time:-?} s$answer" "$out"
		return
	fi
	local mbps
	mbps="$(awk -v b="$bytes" -v t="$time" 'BEGIN { printf "%.3f", b / t / 1e6 }')"
	python3 "$PY" record "$RESULTS" workload="$workload" target="$target" rep="$rep" \
		requests=1 errors=0 bytes="$bytes" seconds="$time" mbps="$mbps" "$cpu"
	log "  $workload $target: $mbps MB/s ($time s)"
	rm -f "$body"
}

# run_longpoll TARGET REP: LP_COUNT concurrent GET /poll?ms=LP_MS over h2c, LP_CONNS connections.
run_longpoll() {
	local target="$1" rep="$2"
	local out="$WORK/runs/$((++RUN_SEQ))-longpoll-$target.txt" reqlog="$WORK/runs/$RUN_SEQ-longpoll-$target.log"
	local dead t0 t1 parsed during="{}" edge_during="" after="{}" rc=0 sample_us
	dead="$(path_dead "$target")"
	[[ -z "$dead" ]] || { record_failure longpoll "$target" "$rep" "$dead"; return; }
	t0="$(target_ticks "$target")"
	timeout $((LP_MS / 1000 + 120)) h2load -t1 -c"$LP_CONNS" -m"$LP_STREAMS" -n"$LP_COUNT" --log-file="$reqlog" \
		-H ":authority: $APP_HOSTNAME" "$(target_h2_url "$target")/poll?ms=$LP_MS" >"$out" 2>&1 &
	LOAD_PID=$!
	# Every request should be pending by now: the live heap with them pending (how many were
	# in flight at that moment comes from h2load's request log).
	sleep "$(awk -v ms="$LP_MS" 'BEGIN { printf "%.1f", ms * 0.75 / 1000 }')"
	sample_us="$(date +%s%6N)"
	during="$(python3 "$PY" heap "$APP_PID" 2>/dev/null)" || during="{}"
	if [[ "$target" == warp ]]; then
		edge_during="$(python3 "$PY" heap "$EDGE_PID" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["heap_kib"])')" || edge_during=""
	fi
	wait "$LOAD_PID" || rc=$?
	LOAD_PID=""
	t1="$(target_ticks "$target")"
	after="$(python3 "$PY" heap "$APP_PID" 2>/dev/null)" || after="{}"
	if ! parsed="$(python3 "$PY" h2load "$out" "$reqlog" "$sample_us" $((LP_MS * 1500)) 2>/dev/null)"; then
		record_failure longpoll "$target" "$rep" "h2load produced no result (exit $rc)" "$out"
		return
	fi
	rm -f "$reqlog"
	local extra
	extra="$(python3 -c '
import json, sys
d, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"heap_during_kib": d.get("heap_kib"), "heap_after_kib": a.get("heap_kib")}))' "$during" "$after")"
	python3 "$PY" record "$RESULTS" workload=longpoll target="$target" rep="$rep" cpu_ticks=$((t1 - t0)) \
		${edge_during:+edge_heap_during_kib=$edge_during} "$parsed" "$extra"
	log "  longpoll $target: $(python3 "$PY" summary "$parsed" "$extra")"
	if [[ "$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(int(r["ok"] == r["submitted"] == '"$LP_COUNT"'))' "$parsed")" != 1 ]]; then
		{
			echo "longpoll / $target / repetition $rep: not every request completed with 2xx: $(grep -E '^(requests|status codes):' "$out" | tr '\n' ' ')"
			[[ "$target" != warp ]] || echo "  edge log (last lines): $(tail -n 5 "$WORK/edge.log" | tr '\n' ' ' | cut -c1-800)"
		} >>"$FAILURES"
	fi
}

warmup() {
	local target="$1" saved="$DURATION"
	local dead
	dead="$(path_dead "$target")"
	[[ -z "$dead" ]] || { log "  warm-up $target skipped: $dead"; return; }
	DURATION=$WARMUP_LONG
	timeout 60 wrk -t2 -c64 -d"${DURATION}s" -H "Host: $APP_HOSTNAME" "$(target_url "$target")/small" >/dev/null 2>&1 || true
	DURATION=$WARMUP_SHORT
	timeout 60 wrk -t2 -c64 -d"${DURATION}s" -H "Host: $APP_HOSTNAME" -s "$BENCH_DIR/lib/post.lua" "$(target_url "$target")/small" >/dev/null 2>&1 || true
	timeout 60 h2load -t1 -c1 -m100 -D "$DURATION" -H ":authority: $APP_HOSTNAME" "$(target_h2_url "$target")/small" >/dev/null 2>&1 || true
	if has_workload chunked64; then
		timeout 60 wrk -t2 -c64 -d"${DURATION}s" -H "Host: $APP_HOSTNAME" -s "$BENCH_DIR/lib/chunked.lua" "$(target_url "$target")/small" >/dev/null 2>&1 || true
	fi
	DURATION="$saved"
	if has_workload download || has_workload upload; then
		run_transfer download "$target" 0 "$WARMUP_TRANSFER_BYTES" warmup
		run_transfer upload "$target" 0 "$WARMUP_TRANSFER_BYTES" warmup
	fi
}

# Targets in a different order in every repetition, so that drift does not favour one.
rotated_targets() {
	local rep="$1" n=${#TARGETS[@]} i
	for ((i = 0; i < n; i++)); do echo "${TARGETS[$(((i + rep) % n))]}"; done
}

# ------------------------------------------------------------------------------ peer nodes

# start_peer_node NAME: an edge node of the cluster on REDIS_PORT, its data in $WORK/node-NAME;
# sets NODE_PID and the node's ports (NODE_PUBLIC, NODE_TUNNEL, NODE_API, NODE_PROVISIONING).
start_peer_node() {
	local name="$1" dir="$WORK/node-$1" peer
	read -r NODE_PUBLIC NODE_TUNNEL NODE_API NODE_PROVISIONING peer <<<"$(python3 "$PY" freeport 5)"
	log "starting edge node $name (Redis $REDIS_PORT): public $NODE_PUBLIC, tunnel $NODE_TUNNEL, api $NODE_API, peer $peer"
	java "${JVM_FLAGS[@]}" -jar "$EDGE_JAR" \
		--edge.node-id="bench-node-$name" \
		--edge.bind-address="$HOST" \
		--edge.public.port="$NODE_PUBLIC" \
		--edge.tunnel.port="$NODE_TUNNEL" \
		--edge.api.port="$NODE_API" \
		--edge.provisioning.port="$NODE_PROVISIONING" \
		--edge.cluster.redis-url="redis://$HOST:$REDIS_PORT" \
		--edge.cluster.peer-port="$peer" \
		--edge.data-dir="$dir/edge" \
		>"$dir/edge.log" 2>&1 </dev/null &
	NODE_PID=$!
	node_ready() { [[ -f "$dir/edge/ca.pem" ]] && port_open "$NODE_PUBLIC" && port_open "$NODE_TUNNEL" && port_open "$NODE_API" && port_open "$peer"; }
	(wait_until 90 "edge node $name startup" "$NODE_PID" "$dir/edge.log" -- node_ready)
}

# use_peer_nodes: a Redis and two edge nodes of one cluster (node b gets node a's CA before it
# starts, as an operator copies it); the warp target then means node a's public port, with the
# app's tunnel on node b (the caller restarts the app), so every request is forwarded a -> b
# over the peer connection. The CPU of both nodes and of Redis counts as the path's.
use_peer_nodes() {
	REDIS_PORT="$(python3 "$PY" freeport 1)"
	mkdir -p "$WORK/redis" "$WORK/node-a" "$WORK/node-b/edge"
	chmod 700 "$WORK/node-b/edge"
	log "starting redis-server on $REDIS_PORT"
	redis-server --port "$REDIS_PORT" --bind "$HOST" --save '' --appendonly no --dir "$WORK/redis" \
		>"$WORK/redis/redis.log" 2>&1 </dev/null &
	REDIS_PID=$!
	(wait_until 30 "redis startup" "$REDIS_PID" "$WORK/redis/redis.log" -- port_open "$REDIS_PORT") || return 1
	start_peer_node a || { NODE_A_PID="$NODE_PID"; return 1; }
	NODE_A_PID="$NODE_PID"
	local a_public="$NODE_PUBLIC"
	cp -p "$WORK/node-a/edge/ca.pem" "$WORK/node-a/edge/ca-key.pem" "$WORK/node-b/edge/"
	start_peer_node b || { NODE_B_PID="$NODE_PID"; return 1; }
	NODE_B_PID="$NODE_PID"
	MAIN_TOKEN="$WARP_TOKEN"
	WARP_TOKEN="$(java -jar "$EDGE_JAR" token create --zone "$APP_HOSTNAME" --data-dir "$WORK/node-b/edge" 2>/dev/null)" || return 1
	WARP_PUBLIC="$a_public" WARP_TUNNEL="$NODE_TUNNEL" WARP_API="$NODE_API" WARP_PROVISIONING="$NODE_PROVISIONING"
	WARP_DIR="$WORK/node-b/edge" WARP_LOG="$WORK/node-a/edge.log" WARP_PIDS="$NODE_A_PID $NODE_B_PID $REDIS_PID"
	WARP_CREDENTIALS="$WORK/credentials-peer"
}

# use_main_edge: the cluster stops; the warp target is the edge of the other workloads again.
use_main_edge() {
	stop_pid "edge node a" "$NODE_A_PID"; NODE_A_PID=""
	stop_pid "edge node b" "$NODE_B_PID"; NODE_B_PID=""
	stop_pid "redis" "$REDIS_PID"; REDIS_PID=""
	WARP_TOKEN="${MAIN_TOKEN:-$WARP_TOKEN}"
	WARP_PUBLIC="$EDGE_PUBLIC" WARP_TUNNEL="$EDGE_TUNNEL" WARP_API="$EDGE_API" WARP_PROVISIONING="$EDGE_PROVISIONING"
	WARP_DIR="$WORK/edge" WARP_LOG="$WORK/edge.log" WARP_PIDS="$EDGE_PID" WARP_CREDENTIALS="$WORK/credentials"
}

# The targets of peer64 (a peer node means nothing to nginx and ssh -R), alternating per repetition.
peer_targets() {
	local order=(direct warp) t
	(($1 % 2)) || order=(warp direct)
	for t in "${order[@]}"; do has_target "$t" && echo "$t"; done
}

answers_through_warp() {
	[[ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "Host: $APP_HOSTNAME" "$(target_url warp)/small")" == 200 ]]
}

# ------------------------------------------------------------------------------ idle

# idle_variant REP VARIANT: start the app alone, let it settle, full GC, read heap and RSS.
idle_variant() {
	local rep="$1" variant="$2" jar args=() logf="$WORK/idle-$2-$1.log" reading
	case "$variant" in
	no-starter) jar="$WORK/idle-nostarter/bench-app.jar"; args=(--warp.enabled=false) ;;
	disabled) jar="$WORK/idle-starter/bench-app.jar"; args=(--warp.enabled=false) ;;
	tunnel) jar="$WORK/idle-starter/bench-app.jar"
		args=(--warp.hostname="$APP_HOSTNAME" --warp.connections=4 --warp.edge.addresses="$HOST:$EDGE_TUNNEL"
			--warp.edge.ca-certificate="$WORK/edge/ca.pem" --warp.credentials-dir="$WORK/credentials"
			--warp.edge.provisioning-url="https://$HOST:$EDGE_PROVISIONING") ;;
	esac
	java "${JVM_FLAGS[@]}" -jar "$jar" --server.port="$IDLE_PORT" "${args[@]}" >"$logf" 2>&1 </dev/null &
	IDLE_PID=$!
	if ! (wait_until 90 "idle app ($variant)" "$IDLE_PID" "$logf" -- port_open "$IDLE_PORT") 2>>"$WORK/idle-errors.txt"; then
		record_failure idle "$variant" "$rep" "the app did not start (see $logf)" "$logf"
		stop_pid "idle app" "$IDLE_PID"; IDLE_PID=""
		return
	fi
	if [[ "$variant" == tunnel ]] && ! (wait_until 60 "idle tunnel" "$IDLE_PID" "$logf" -- registered_is 4) 2>>"$WORK/idle-errors.txt"; then
		record_failure idle "$variant" "$rep" "4 tunnel connections not registered within 60 s (registered: $(registered_count))" "$logf"
		stop_pid "idle app" "$IDLE_PID"; IDLE_PID=""
		return
	fi
	sleep "$IDLE_SETTLE"
	if reading="$(python3 "$PY" heap "$IDLE_PID")"; then
		python3 "$PY" record "$RESULTS" workload=idle target="$variant" rep="$rep" "$reading"
		log "  idle $variant: $(python3 "$PY" summary "$reading")"
	else
		record_failure idle "$variant" "$rep" "could not read the heap with jcmd/jstat"
	fi
	stop_pid "idle app" "$IDLE_PID"
	IDLE_PID=""
}

# ------------------------------------------------------------------------------ run

mkdir -p "$WORK/runs" "$(dirname "$OUT")"

JDK_VERSION="$(java -version 2>&1 | head -n 1)"
# What was measured: the commit when the run starts (the jars were just built from that tree).
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no -- . ':!bench' 2>/dev/null)" ]]; then
	COMMIT="$COMMIT (with uncommitted changes)"
fi
COMMIT="$COMMIT; jars built $(date -u -r "$EDGE_JAR" '+%F %T UTC') (edge), $(date -u -r "$APP_JAR" '+%F %T UTC') (app)"
START_TIME=$SECONDS
echo
echo "Warp benchmark: $COMMAND_LINE"
echo "  date (UTC):  $(date -u '+%F %T')"
echo "  machine:     $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
echo "  JDK:         $JDK_VERSION"
echo "  JVM flags:   ${JVM_FLAGS[*]}   (app and edge, fixed)"
echo "  targets:     ${TARGETS[*]}"
echo "  workloads:   ${WORKLOADS[*]}"
echo "  repetitions: $REPS, timed runs of $DURATION s, transfers of $TRANSFER_LABEL"
echo "  work dir:    $WORK"
echo

# Other work on the machine skews every figure: say so up front (and in the report).
busy="$(python3 -c '
import sys, time
sys.path.insert(0, sys.argv[1])
import bench
b0, t0 = bench.system_busy_ticks(), time.monotonic()
time.sleep(3)
print(round((bench.system_busy_ticks() - b0) / bench.CLK_TCK / (time.monotonic() - t0) * 100))' "$BENCH_DIR/lib")"
if ((busy > 20)); then
	log "WARNING: before the run, other processes kept ${busy}% of one core busy; figures will be noisy"
	echo "Before the run, other processes on the machine used ${busy}% of one core (load average: $(cut -d' ' -f1-3 /proc/loadavg)); see the noise figure below." >>"$NOTES"
fi

main_workloads=0
for w in get1 get64 h2 post chunked64 download upload; do has_workload "$w" && main_workloads=1; done
# The app always runs with its tunnel open (also when warp is not a target), so it is the same
# app for every target: the edge is always there.
start_edge
if ((main_workloads)) || has_workload longpoll; then
	start_app main 4
	has_target nginx && start_nginx
	has_target ssh && start_ssh
fi

if ((main_workloads)); then
	log "warm-up: $WARMUP_ROUNDS round(s) per target"
	for ((round = 1; round <= WARMUP_ROUNDS; round++)); do
		for target in "${TARGETS[@]}"; do warmup "$target"; done
	done
	for ((rep = 1; rep <= REPS; rep++)); do
		log "repetition $rep of $REPS"
		for workload in get1 get64 h2 post chunked64 download upload; do
			has_workload "$workload" || continue
			for target in $(rotated_targets "$rep"); do
				case "$workload" in
				get1) run_wrk get1 "$target" "$rep" 1 1 /small ;;
				get64) run_wrk get64 "$target" "$rep" 2 64 /small ;;
				post) run_wrk post "$target" "$rep" 2 64 /small "$BENCH_DIR/lib/post.lua" ;;
				chunked64) run_wrk chunked64 "$target" "$rep" 2 64 /small "$BENCH_DIR/lib/chunked.lua" ;;
				h2) run_h2load h2 "$target" "$rep" ;;
				download | upload) run_transfer "$workload" "$target" "$rep" ;;
				esac
			done
		done
	done
fi

if has_workload peer64; then
	# The app restarts with its tunnel on node b of a cluster; direct is measured on that app.
	log "peer64: a GET through a peer node (two edge nodes on one Redis, the tunnel on node b, the load on node a)"
	stop_pid "app" "$APP_PID"
	APP_PID=""
	if use_peer_nodes; then
		start_app peer 4
		# Node a learns the route from Redis, cached for a second at most.
		if has_target warp && ! (wait_until 30 "node a forwarding to node b" "$NODE_A_PID" "$WARP_LOG" -- answers_through_warp); then
			echo "peer64: node a did not answer 200 for $APP_HOSTNAME within 30 s; see the logs of node a and node b" >>"$FAILURES"
		fi
		log "peer64 warm-up: $WARMUP_ROUNDS round(s) of $((2 * WARMUP_LONG)) s per target (the app and the nodes are new JVMs)"
		for ((round = 1; round <= WARMUP_ROUNDS; round++)); do
			for target in $(peer_targets "$round"); do
				[[ -z "$(path_dead "$target")" ]] || continue
				timeout 60 wrk -t2 -c64 -d"$((2 * WARMUP_LONG))s" -H "Host: $APP_HOSTNAME" "$(target_url "$target")/small" >/dev/null 2>&1 || true
			done
		done
		for ((rep = 1; rep <= REPS; rep++)); do
			log "peer64 repetition $rep of $REPS"
			for target in $(peer_targets "$rep"); do run_wrk peer64 "$target" "$rep" 2 64 /small; done
		done
	else
		log "WARNING: the cluster did not start; peer64 fails"
		for ((rep = 1; rep <= REPS; rep++)); do
			record_failure peer64 warp "$rep" "the cluster (Redis, node a, node b) did not start"
		done
	fi
	stop_pid "app" "$APP_PID"
	APP_PID=""
	use_main_edge
fi

if has_workload longpoll; then
	# One tunnel connection: restart the app with warp.connections=1 on the same port, so that
	# nginx and ssh -R reach it too and every target serves the long-polls from the same app.
	log "long-poll: restarting the app with warp.connections=1"
	stop_pid "app" "$APP_PID"
	APP_PID=""
	if has_target warp; then
		(wait_until 30 "the old app's tunnel connections to leave" "$EDGE_PID" "$WORK/edge.log" -- registered_is 0) || true
	fi
	start_app longpoll 1
	for target in "${TARGETS[@]}"; do
		[[ -z "$(path_dead "$target")" ]] || continue
		timeout 60 h2load -t1 -c10 -m10 -n2000 -H ":authority: $APP_HOSTNAME" "$(target_h2_url "$target")/poll?ms=1" >/dev/null 2>&1 || true
	done
	for ((rep = 1; rep <= REPS; rep++)); do
		log "long-poll repetition $rep of $REPS: $LP_COUNT x GET /poll?ms=$LP_MS, $LP_CONNS h2c connections x $LP_STREAMS streams"
		for target in $(rotated_targets "$rep"); do run_longpoll "$target" "$rep"; done
	done
fi

if has_workload idle; then
	log "idle: the app alone, without the starter, with it disabled, with 4 tunnel connections"
	stop_pid "ssh client" "$SSH_PID"; SSH_PID=""
	stop_pid "sshd" "$SSHD_PID"; SSHD_PID=""
	stop_pid "nginx" "$NGINX_PID"; NGINX_PID=""
	stop_pid "app" "$APP_PID"; APP_PID=""
	(wait_until 30 "the old app's tunnel connections to leave" "$EDGE_PID" "$WORK/edge.log" -- registered_is 0) || true
	# The same app from Spring Boot's extracted layout; without the starter = the same
	# directory with Warp's jars (and BouncyCastle, which only Warp uses) removed from lib/.
	java -Djarmode=tools -jar "$APP_JAR" extract --destination "$WORK/idle-starter" >/dev/null
	cp -r "$WORK/idle-starter" "$WORK/idle-nostarter"
	rm -f "$WORK"/idle-nostarter/lib/warp-*.jar "$WORK"/idle-nostarter/lib/bc*-jdk18on-*.jar
	for ((rep = 1; rep <= REPS; rep++)); do
		for variant in no-starter disabled tunnel; do idle_variant "$rep" "$variant"; done
	done
fi

# ------------------------------------------------------------------------------ report

ELAPSED=$((SECONDS - START_TIME))
export COMMAND_LINE DATE JDK_VERSION REPS DURATION TRANSFER_BYTES TRANSFER_LABEL LP_COUNT LP_MS LP_CONNS LP_STREAMS \
	IDLE_SETTLE FAILURES NOTES ELAPSED NGINX ROOT COMMIT
export JVM_FLAGS_TEXT="${JVM_FLAGS[*]}"
python3 - "$WORK/meta.json" <<'EOF'
import json, os, platform, subprocess, sys
e = os.environ

def sh(cmd):
    try:
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20)
        return (r.stdout + r.stderr).strip()
    except Exception:
        return ""

cpu = sh("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1")
mem = sh("awk '/MemTotal/ { printf \"%.1f GiB\", $2 / 1048576 }' /proc/meminfo")
tools = "; ".join(x for x in [
    sh("wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2"),
    sh("h2load --version | head -n 1"),
    sh(f"{e['NGINX']} -v 2>&1 | sed 's/^nginx version: //'") if e["NGINX"] else "",
    sh("command -v ssh >/dev/null && ssh -V 2>&1 | cut -d, -f1"),
    sh("command -v redis-server >/dev/null && redis-server --version | cut -d' ' -f1-3"),
    sh("curl --version | head -n 1 | cut -d' ' -f1-2"),
] if x)
commit = e["COMMIT"]
lp = f"{int(e['LP_COUNT']):,}"
meta = {
    "date": e["DATE"],
    "command": e["COMMAND_LINE"],
    "nproc": os.cpu_count(),
    "cpu": cpu, "memory": mem,
    "kernel": platform.release(),
    "jdk": e["JDK_VERSION"],
    "jvm_flags": e["JVM_FLAGS_TEXT"],
    "tools": tools,
    "commit": commit,
    "reps": e["REPS"],
    "duration": f"{e['DURATION']} s (whole run took {int(e['ELAPSED']) // 60} min {int(e['ELAPSED']) % 60} s)",
    "transfer_bytes": int(e["TRANSFER_BYTES"]),
    "transfer_label": e["TRANSFER_LABEL"],
    "longpoll_count": lp,
    "longpoll_ms": int(e["LP_MS"]),
    "longpoll_title": f"{lp} concurrent long-polls, app with one tunnel connection",
    "longpoll_how": (f"`h2load -c{e['LP_CONNS']} -m{e['LP_STREAMS']} -n{e['LP_COUNT']}` (h2c) of `GET /poll?ms={e['LP_MS']}`: "
                     f"every request pending at once (\"late\": took more than 1.5 times the delay, in practice because they waited for another request to finish). The app is restarted with `warp.connections=1` on the same port, "
                     f"so all {lp} go through ONE tunnel connection for warp, and every target serves them from that app. "
                     f"Heap: used after a forced full GC (`jcmd GC.run`, then `jstat`), at 75% of the delay "
                     f"(\"then\"; how many requests were in flight at that moment is counted from h2load's request log) and after the run; the forced GCs count in the CPU figure"),
    "idle_how": (f"The same app started alone (median of the repetitions), {e['IDLE_SETTLE']} s after it is up (and, with the "
                 f"tunnel, after all 4 connections are registered at the edge); then `jcmd GC.run`, heap used from "
                 f"`jstat -gc`, RSS from `/proc/<pid>/status`. \"No starter\" runs the extracted jar with Warp's jars and "
                 f"BouncyCastle removed from the class path"),
    "notes": [l for l in open(e["NOTES"]).read().splitlines() if l.strip()],
    "failures": [l for l in open(e["FAILURES"]).read().splitlines() if l.strip()],
}
meta["notes"].append("HTTP/2 workload: the app's port speaks h2c (`server.http2.enabled=true`, prior knowledge); "
                     "nginx has a separate `listen ... http2` plain-text listener (h2c prior knowledge only) and "
                     "talks HTTP/1.1 with keep-alive to the app; ssh -R forwards the TCP stream, so h2 is spoken "
                     "end to end with the app; the edge's public port accepts h2c prior knowledge.")
meta["notes"].append("nginx: `worker_processes auto`, upstream keep-alive, no access log, request buffering off, "
                     "response buffering in memory only (`proxy_max_temp_file_size 0`).")
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF

python3 -c 'import json, sys; print(json.dumps({"meta": json.load(open(sys.argv[1]))}))' "$WORK/meta.json" >>"$RESULTS"
python3 "$PY" report "$RESULTS" >"$OUT"
cp "$RESULTS" "${OUT%.md}.jsonl"
if ((UPDATE_README)); then
	python3 "$PY" readme "$RESULTS" "$BENCH_DIR/README.md" && log "bench/README.md shows these results"
fi
echo
cat "$OUT"
echo
log "report written to $OUT (raw measurements and meta data: ${OUT%.md}.jsonl; bench/lib/bench.py report <it> rebuilds the report); the run took $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
if [[ -s "$FAILURES" ]]; then
	log "some measurements failed (see the Failures section); logs are in $WORK"
fi
