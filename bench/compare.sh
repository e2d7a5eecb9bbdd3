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
#   --workload W                  get64 or post64 (wrk, 64 connections; the POST with 1 KiB),
#                                 download or upload (1 GiB with curl)
#   --rounds N                    measured rounds per stack (default 10); the median is reported
#   --warmup N                    unmeasured rounds per stack first (default 5)
#   --duration S                  seconds of each wrk run (default 8)
#
# To compare a change: build, copy the jars aside, check out the other version, build again,
# then pass the copies as A and the fresh build as B. Builds nothing itself.
#
# Reports, per round and as medians: req/s or MB/s, and the CPU time of each stack's edge and
# app (per 10,000 requests, or per GiB), with B's medians as a ratio of A's.

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
	-h | --help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

[[ "$WORKLOAD" =~ ^(get64|post64|download|upload)$ ]] || { echo "--workload must be get64, post64, download or upload, was: $WORKLOAD" >&2; exit 2; }
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
((${#missing[@]} == 0)) || { echo "missing tools: ${missing[*]} (apt-get install -y wrk curl python3)" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/warp-compare.XXXXXX")"
declare -A EDGE_PID APP_PID PUBLIC
cleanup() {
	local pid
	for pid in "${APP_PID[@]}" "${EDGE_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_stack NAME EDGE_JAR APP_JAR
start_stack() {
	local name="$1" edge_jar="$2" app_jar="$3" dir="$WORK/$1"
	local app public tunnel api provisioning
	mkdir -p "$dir"
	read -r app public tunnel api provisioning <<<"$(python3 "$PY" freeport 5)"
	java "${JVM_FLAGS[@]}" -jar "$edge_jar" --edge.node-id="compare-$name" --edge.bind-address="$HOST" \
		--edge.public.port="$public" --edge.tunnel.port="$tunnel" --edge.api.port="$api" \
		--edge.provisioning.port="$provisioning" --edge.data-dir="$dir/edge" >"$dir/edge.log" 2>&1 </dev/null &
	EDGE_PID[$name]=$!
	edge_ready() { [[ -f "$dir/edge/ca.pem" ]] && port_open "$api" && port_open "$public"; }
	wait_until 90 "edge $name startup" "${EDGE_PID[$name]}" "$dir/edge.log" -- edge_ready
	WARP_TOKEN="$(java -jar "$edge_jar" token create --zone "$APP_HOSTNAME" --data-dir "$dir/edge" 2>/dev/null)" \
		java "${JVM_FLAGS[@]}" -jar "$app_jar" --server.port="$app" --warp.hostname="$APP_HOSTNAME" \
		--warp.connections=4 --warp.edge.addresses="$HOST:$tunnel" --warp.edge.ca-certificate="$dir/edge/ca.pem" \
		--warp.edge.provisioning-url="https://$HOST:$provisioning" --warp.credentials-dir="$dir/credentials" \
		>"$dir/app.log" 2>&1 </dev/null &
	APP_PID[$name]=$!
	registered() { [[ "$(registered_at "$api" "$dir/status.json")" == 4 ]]; }
	wait_until 90 "app $name registration" "${APP_PID[$name]}" "$dir/app.log" -- registered
	PUBLIC[$name]="$public"
	echo "stack $name: edge $edge_jar, app $app_jar (public port $public)"
}

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# wrk_result OUTPUT: "REQUESTS RATE", or nothing when any response was not a 2xx or 3xx.
wrk_result() {
	grep -q 'Non-2xx' <<<"$1" && return 0
	awk '/requests in/ { n = $1 } /Requests\/sec/ { r = $2 } END { print n, r }' <<<"$1"
}

# load NAME: one run against the stack; prints "UNITS RATE" (requests or bytes, and per second),
# or nothing when the run failed.
load() {
	local url="http://$HOST:${PUBLIC[$1]}" out
	case "$WORKLOAD" in
	get64)
		out="$(wrk -t2 -c64 -d"${DURATION}s" -H "Host: $APP_HOSTNAME" "$url/small")" || return 0
		wrk_result "$out" ;;
	post64)
		out="$(wrk -t2 -c64 -d"${DURATION}s" -H "Host: $APP_HOSTNAME" -s "$BENCH_DIR/lib/post.lua" "$url/small")" || return 0
		wrk_result "$out" ;;
	download)
		out="$(curl -sf -o /dev/null -H "Host: $APP_HOSTNAME" -w '%{size_download} %{time_total}' "$url/bytes?size=$GIB")" || return 0
		awk '{ print $1, $1 / $2 / 1e6 }' <<<"$out" ;;
	upload)
		cat "$WORK/upload.bin" >/dev/null
		out="$(curl -sf -o /dev/null -H "Host: $APP_HOSTNAME" -H 'Expect:' -X POST -T "$WORK/upload.bin" \
			-w '%{size_upload} %{time_total}' "$url/sink")" || return 0
		awk '{ print $1, $1 / $2 / 1e6 }' <<<"$out" ;;
	esac
}

start_stack A "$A_EDGE" "$A_APP"
start_stack B "$B_EDGE" "$B_APP"
[[ "$WORKLOAD" != upload ]] || truncate -s "$GIB" "$WORK/upload.bin"
echo "workload $WORKLOAD: $WARMUP warm-up and $ROUNDS measured rounds per stack, order alternating"
for ((i = 0; i < WARMUP; i++)); do load A >/dev/null; load B >/dev/null; done

ROWS="$WORK/rows"
for ((round = 1; round <= ROUNDS; round++)); do
	order="A B"
	((round % 2)) || order="B A"
	for name in $order; do
		e0=$(ticks "${EDGE_PID[$name]}"); a0=$(ticks "${APP_PID[$name]}")
		read -r units rate <<<"$(load "$name")"
		if [[ -z "$units" || "$units" == 0 ]]; then
			echo "the $WORKLOAD run against stack $name failed (an error, or a status other than 2xx/3xx); last lines of its edge's log:" >&2
			tail -n 20 "$WORK/$name/edge.log" >&2
			exit 1
		fi
		e1=$(ticks "${EDGE_PID[$name]}"); a1=$(ticks "${APP_PID[$name]}")
		echo "$name $round $units $rate $((e1 - e0)) $((a1 - a0))" | tee -a "$ROWS"
	done
done

python3 - "$ROWS" "$WORKLOAD" "$(python3 "$PY" clktck)" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
workload, hz = sys.argv[2], float(sys.argv[3])
per, rate_unit = (1e4, "req/s") if workload.endswith("64") else (2 ** 30, "MB/s")
cpu_unit = "CPU s per 10k requests" if workload.endswith("64") else "CPU s per GiB"
medians = {}
for name in "AB":
    mine = [r for r in rows if r[0] == name]
    medians[name] = [statistics.median(float(r[3]) for r in mine)] + [
        statistics.median(int(r[k]) / hz / float(r[2]) * per for r in mine) for k in (4, 5)]
print(f"\nmedians ({rate_unit}; edge and app {cpu_unit}):")
for name in "AB":
    rate, edge, app = medians[name]
    print(f"  {name}: {rate:,.0f} {rate_unit}, edge {edge:.3f}, app {app:.3f}")
a, b = medians["A"], medians["B"]
print(f"  B/A: {rate_unit} {b[0] / a[0]:.2f}x, edge CPU {b[1] / a[1]:.2f}x, app CPU {b[2] / a[2]:.2f}x")
PY
