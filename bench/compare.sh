#!/usr/bin/env bash
#
# A/B of two builds of Warp: two stacks (edge + benchmark app) side by side on this machine, the
# same load sent to one then the other, round after round, in alternating order. Both stacks
# live through the same background noise and the same JIT drift, which a before/after of two
# separate runs of bench/run.sh does not give: on a shared 2-core machine those differ by more
# than most single changes are worth.
#
# Usage: bench/compare.sh [options]
#
#   --a-edge JAR / --b-edge JAR   edge of stack A / B (default: warp-edge/target/warp-edge.jar)
#   --a-app JAR  / --b-app JAR    benchmark app of stack A / B (default: bench-app/target/bench-app.jar)
#   --workload W                  get64, post64 or chunked64 (wrk, 64 connections; the POSTs with
#                                 1 KiB, of a declared length or chunked), h2 (h2load, 1 h2c
#                                 connection x 100 streams), peer64 (GET through a peer node:
#                                 two edge nodes on a Redis per stack, the tunnel on node B, wrk
#                                 on node A), download or upload (1 GiB with curl)
#   --rounds N                    measured rounds per stack (default 10); the median is reported
#   --warmup N                    unmeasured rounds per stack first (default 5)
#   --duration S                  seconds of each wrk or h2load run (default 8)
#
# To compare a change: build, copy the jars aside, check out the other version, build again,
# then pass the copies as A and the fresh build as B. Builds nothing itself.
#
# Reports, per round and as medians: req/s (with p50 and p99 latency) or MB/s, and the CPU time
# of each stack's edge (for peer64: both nodes and Redis) and app (per 10,000 requests, or per
# GiB), with B's medians as a ratio of A's.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
PY="$BENCH_DIR/lib/bench.py"
# shellcheck source=lib/processes.sh
source "$BENCH_DIR/lib/processes.sh"
HOST=127.0.0.1
APP_HOSTNAME=bench.warp.test
JVM_FLAGS=(-Xms512m -Xmx512m -XX:+UseParallelGC)
GIB=1073741824

A_EDGE="$ROOT/warp-edge/target/warp-edge.jar"
B_EDGE="$A_EDGE"
A_APP="$ROOT/bench-app/target/bench-app.jar"
B_APP="$A_APP"
WORKLOAD=get64
ROUNDS=10
WARMUP=5
DURATION=8

while (($#)); do
	case "$1" in
	--a-edge) A_EDGE="$2"; shift ;;
	--b-edge) B_EDGE="$2"; shift ;;
	--a-app) A_APP="$2"; shift ;;
	--b-app) B_APP="$2"; shift ;;
	--workload) WORKLOAD="$2"; shift ;;
	--rounds) ROUNDS="$2"; shift ;;
	--warmup) WARMUP="$2"; shift ;;
	--duration) DURATION="$2"; shift ;;
	-h | --help) sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

[[ "$WORKLOAD" =~ ^(get64|post64|chunked64|h2|peer64|download|upload)$ ]] \
	|| { echo "--workload must be get64, post64, chunked64, h2, peer64, download or upload, was: $WORKLOAD" >&2; exit 2; }
for n in "$ROUNDS" "$WARMUP" "$DURATION"; do
	[[ "$n" =~ ^[0-9]+$ ]] || { echo "--rounds, --warmup and --duration take whole numbers, got: $n" >&2; exit 2; }
done
((ROUNDS > 0)) || { echo "--rounds must be at least 1" >&2; exit 2; }
for jar in "$A_EDGE" "$B_EDGE" "$A_APP" "$B_APP"; do
	[[ -f "$jar" ]] || { echo "no such jar: $jar (build with: ./mvnw -B -DskipTests -pl warp-edge,bench-app -am package)" >&2; exit 2; }
done
missing=()
for tool in curl python3 java; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[[ "$WORKLOAD" != *64 ]] || command -v wrk >/dev/null || missing+=(wrk)
[[ "$WORKLOAD" != h2 ]] || command -v h2load >/dev/null || missing+=(h2load)
[[ "$WORKLOAD" != peer64 ]] || command -v redis-server >/dev/null || missing+=(redis-server)
((${#missing[@]} == 0)) || { echo "missing tools: ${missing[*]} (apt-get install -y wrk nghttp2-client redis-server curl python3)" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/warp-compare.XXXXXX")"
# Per stack: the pids whose CPU counts as the edge's (both nodes and Redis for peer64), the app's.
declare -A EDGE_PIDS APP_PID PUBLIC
STARTED=()
cleanup() {
	local pid
	for pid in "${STARTED[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_node DIR NODE_ID EDGE_JAR [CLUSTER_ARGS...]: an edge node; sets NODE_PID, NODE_PUBLIC,
# NODE_TUNNEL, NODE_API and NODE_PROVISIONING.
start_node() {
	local dir="$1" id="$2" jar="$3"
	shift 3
	mkdir -p "$dir"
	read -r NODE_PUBLIC NODE_TUNNEL NODE_API NODE_PROVISIONING <<<"$(python3 "$PY" freeport 4)"
	java "${JVM_FLAGS[@]}" -jar "$jar" --edge.node-id="$id" --edge.bind-address="$HOST" \
		--edge.public.port="$NODE_PUBLIC" --edge.tunnel.port="$NODE_TUNNEL" --edge.api.port="$NODE_API" \
		--edge.provisioning.port="$NODE_PROVISIONING" --edge.data-dir="$dir/edge" "$@" >"$dir/edge.log" 2>&1 </dev/null &
	NODE_PID=$!
	STARTED+=("$NODE_PID")
	node_ready() { [[ -f "$dir/edge/ca.pem" ]] && port_open "$NODE_API" && port_open "$NODE_PUBLIC" && port_open "$NODE_TUNNEL"; }
	wait_until 90 "edge $id startup" "$NODE_PID" "$dir/edge.log" -- node_ready
}

# start_stack NAME EDGE_JAR APP_JAR: an edge and the app with its tunnel there; for peer64 a
# Redis and two nodes of one cluster (node B gets node A's CA before it starts), the app's tunnel
# on node B only, the load on node A's public port, so every request crosses A -> B.
start_stack() {
	local name="$1" edge_jar="$2" app_jar="$3" dir="$WORK/$1"
	local app node_dir="$dir" cluster=() redis peer_a peer_b a_pid
	mkdir -p "$dir"
	app="$(python3 "$PY" freeport 1)"
	if [[ "$WORKLOAD" == peer64 ]]; then
		read -r redis peer_a peer_b <<<"$(python3 "$PY" freeport 3)"
		redis-server --port "$redis" --bind "$HOST" --save '' --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 </dev/null &
		EDGE_PIDS[$name]=$!
		STARTED+=("$!")
		wait_until 30 "redis $name startup" "$!" "$dir/redis.log" -- port_open "$redis"
		start_node "$dir/a" "compare-$name-a" "$edge_jar" --edge.cluster.redis-url="redis://$HOST:$redis" --edge.cluster.peer-port="$peer_a"
		a_pid=$NODE_PID
		PUBLIC[$name]="$NODE_PUBLIC"
		mkdir -p "$dir/b/edge"
		chmod 700 "$dir/b/edge"
		cp -p "$dir/a/edge/ca.pem" "$dir/a/edge/ca-key.pem" "$dir/b/edge/"
		start_node "$dir/b" "compare-$name-b" "$edge_jar" --edge.cluster.redis-url="redis://$HOST:$redis" --edge.cluster.peer-port="$peer_b"
		wait_until 30 "edge compare-$name-b peer listener" "$NODE_PID" "$dir/b/edge.log" -- port_open "$peer_b"
		EDGE_PIDS[$name]+=" $a_pid $NODE_PID"
		node_dir="$dir/b"
	else
		start_node "$dir" "compare-$name" "$edge_jar"
		EDGE_PIDS[$name]="$NODE_PID"
		PUBLIC[$name]="$NODE_PUBLIC"
	fi
	WARP_TOKEN="$(java -jar "$edge_jar" token create --zone "$APP_HOSTNAME" --data-dir "$node_dir/edge" 2>/dev/null)" \
		java "${JVM_FLAGS[@]}" -jar "$app_jar" --server.port="$app" --warp.hostname="$APP_HOSTNAME" \
		--warp.connections=4 --warp.edge.addresses="$HOST:$NODE_TUNNEL" --warp.edge.ca-certificate="$node_dir/edge/ca.pem" \
		--warp.edge.provisioning-url="https://$HOST:$NODE_PROVISIONING" --warp.credentials-dir="$dir/credentials" \
		>"$dir/app.log" 2>&1 </dev/null &
	APP_PID[$name]=$!
	STARTED+=("$!")
	local api="$NODE_API"
	registered() { [[ "$(registered_at "$api" "$dir/status.json")" == 4 ]]; }
	wait_until 90 "app $name registration" "${APP_PID[$name]}" "$dir/app.log" -- registered
	if [[ "$WORKLOAD" == peer64 ]]; then
		# Node A learns the route from Redis (cached for a second at most): wait until it forwards.
		forwards() { [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $APP_HOSTNAME" "http://$HOST:${PUBLIC[$name]}/small")" == 200 ]]; }
		wait_until 30 "node A of stack $name forwarding to node B" "${APP_PID[$name]}" "$dir/a/edge.log" -- forwards
	fi
	echo "stack $name: edge $edge_jar, app $app_jar (public port ${PUBLIC[$name]}${redis:+; node A forwards to node B, Redis on $redis})"
}

# CPU ticks (utime+stime) of the given pids, summed.
ticks() {
	local pid sum=0
	for pid in "$@"; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
	echo "$sum"
}

# load NAME: one run against the stack; prints "UNITS RATE P50_US P99_US" (requests or bytes, per
# second; the latencies 0 for transfers), or nothing when the run failed.
load() {
	local url="http://$HOST:${PUBLIC[$1]}" out="$WORK/$1/load.txt" wrk_args=(-t2 -c64 -d"${DURATION}s" --latency -H "Host: $APP_HOSTNAME")
	case "$WORKLOAD" in
	get64 | peer64 | post64 | chunked64)
		[[ "$WORKLOAD" != post64 ]] || wrk_args+=(-s "$BENCH_DIR/lib/post.lua")
		[[ "$WORKLOAD" != chunked64 ]] || wrk_args+=(-s "$BENCH_DIR/lib/chunked.lua")
		wrk "${wrk_args[@]}" "$url/small" >"$out" 2>&1 || return 0
		python3 "$PY" round wrk "$out" ;;
	h2)
		h2load -t1 -c1 -m100 -D "$DURATION" --log-file="$out.log" -H ":authority: $APP_HOSTNAME" "$url/small" >"$out" 2>&1 || return 0
		python3 "$PY" round h2load "$out" "$out.log" ;;
	download)
		out="$(curl -sf -o /dev/null -H "Host: $APP_HOSTNAME" -w '%{size_download} %{time_total}' "$url/bytes?size=$GIB")" || return 0
		awk '{ print $1, $1 / $2 / 1e6, 0, 0 }' <<<"$out" ;;
	upload)
		cat "$WORK/upload.bin" >/dev/null
		out="$(curl -sf -o /dev/null -H "Host: $APP_HOSTNAME" -H 'Expect:' -X POST -T "$WORK/upload.bin" \
			-w '%{size_upload} %{time_total}' "$url/sink")" || return 0
		awk '{ print $1, $1 / $2 / 1e6, 0, 0 }' <<<"$out" ;;
	esac
}

start_stack A "$A_EDGE" "$A_APP"
start_stack B "$B_EDGE" "$B_APP"
[[ "$WORKLOAD" != upload ]] || truncate -s "$GIB" "$WORK/upload.bin"
echo "workload $WORKLOAD: $WARMUP warm-up and $ROUNDS measured rounds per stack, order alternating"
for ((i = 0; i < WARMUP; i++)); do load A >/dev/null; load B >/dev/null; done

ROWS="$WORK/rows"
echo "stack round units rate p50_us p99_us edge_ticks app_ticks"
for ((round = 1; round <= ROUNDS; round++)); do
	order="A B"
	((round % 2)) || order="B A"
	for name in $order; do
		# shellcheck disable=SC2086 # a list of pids
		e0=$(ticks ${EDGE_PIDS[$name]}); a0=$(ticks "${APP_PID[$name]}")
		read -r units rate p50 p99 <<<"$(load "$name")"
		if [[ -z "$units" || "$units" == 0 ]]; then
			echo "the $WORKLOAD run against stack $name failed (an error, or a status other than 2xx/3xx); last lines of its tool's output and its edge's log:" >&2
			tail -n 5 "$WORK/$name/load.txt" >&2 2>/dev/null || true
			tail -n 20 "$WORK/$name"/{,a/,b/}edge.log >&2 2>/dev/null || true
			exit 1
		fi
		# shellcheck disable=SC2086
		e1=$(ticks ${EDGE_PIDS[$name]}); a1=$(ticks "${APP_PID[$name]}")
		echo "$name $round $units $rate $p50 $p99 $((e1 - e0)) $((a1 - a0))" | tee -a "$ROWS"
	done
done

python3 - "$ROWS" "$WORKLOAD" "$(python3 "$PY" clktck)" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
workload, hz = sys.argv[2], float(sys.argv[3])
requests = workload not in ("download", "upload")
per, rate_unit = (1e4, "req/s") if requests else (2 ** 30, "MB/s")
cpu_unit = "CPU s per 10k requests" if requests else "CPU s per GiB"
edge = "edge (nodes A and B and Redis)" if workload == "peer64" else "edge"
medians = {}
for name in "AB":
    mine = [r for r in rows if r[0] == name]
    medians[name] = [statistics.median(float(r[k]) for r in mine) for k in (3, 4, 5)] + [
        statistics.median(int(r[k]) / hz / float(r[2]) * per for r in mine) for k in (6, 7)]
print(f"\nmedians ({rate_unit}{', p50 and p99 in µs' if requests else ''}; {edge} and app {cpu_unit}):")
for name in "AB":
    rate, p50, p99, e, app = medians[name]
    latency = f", p50 {p50:,.0f}, p99 {p99:,.0f}" if requests else ""
    print(f"  {name}: {rate:,.0f} {rate_unit}{latency}, edge {e:.3f}, app {app:.3f}")
a, b = medians["A"], medians["B"]
latency = f", p50 {b[1] / a[1]:.2f}x, p99 {b[2] / a[2]:.2f}x" if requests and a[1] and a[2] else ""
print(f"  B/A: {rate_unit} {b[0] / a[0]:.2f}x{latency}, edge CPU {b[3] / a[3]:.2f}x, app CPU {b[4] / a[4]:.2f}x")
PY
