#!/usr/bin/env bash
#
# Runs the Warp demo on this machine: an edge node and the sample application, which dials
# out to the edge and is then reachable through the edge's public port by its hostname.
#
#   scripts/demo.sh [extra sample-app arguments...]
#
# Needs only a JDK (17 or later); Maven comes through ./mvnw. Stop it with Ctrl-C, which
# stops both processes. Settings, all optional:
#
#   EDGE_PUBLIC_PORT      port visitors use                      (default 8080)
#   EDGE_PUBLIC_TLS_PORT  port visitors use over HTTPS           (default 8443)
#   EDGE_TUNNEL_PORT      port the agent dials                   (default 7844)
#   EDGE_API_PORT         edge status API port                   (default 7845)
#   EDGE_PROVISIONING_PORT edge provisioning API port (HTTPS)    (default 7847)
#   SAMPLE_PORT           the sample's own local HTTP port       (default 8081)
#   DEMO_HOSTNAME         hostname the sample registers          (default hello.warp.test)
#   DEMO_START_TIMEOUT    seconds to wait for each process       (default 60)
#   DEMO_STOP_TIMEOUT     seconds to wait for each to stop       (default 30)
#   SKIP_BUILD=1          use the jars already built

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

EDGE_PUBLIC_PORT="${EDGE_PUBLIC_PORT:-8080}"
EDGE_PUBLIC_TLS_PORT="${EDGE_PUBLIC_TLS_PORT:-8443}"
EDGE_TUNNEL_PORT="${EDGE_TUNNEL_PORT:-7844}"
EDGE_API_PORT="${EDGE_API_PORT:-7845}"
EDGE_PROVISIONING_PORT="${EDGE_PROVISIONING_PORT:-7847}"
SAMPLE_PORT="${SAMPLE_PORT:-8081}"
DEMO_HOSTNAME="${DEMO_HOSTNAME:-hello.warp.test}"
DEMO_START_TIMEOUT="${DEMO_START_TIMEOUT:-60}"
DEMO_STOP_TIMEOUT="${DEMO_STOP_TIMEOUT:-30}"
SKIP_BUILD="${SKIP_BUILD:-0}"

HOST=127.0.0.1
DEMO_DIR="$ROOT/target/demo"
EDGE_DATA_DIR="$DEMO_DIR/edge"
EDGE_LOG="$DEMO_DIR/edge.log"
SAMPLE_LOG="$DEMO_DIR/sample.log"
EDGE_JAR="$ROOT/warp-edge/target/warp-edge.jar"
SAMPLE_JAR="$ROOT/sample-app/target/sample-app.jar"
CA_CERTIFICATE="$EDGE_DATA_DIR/ca.pem"

edge_pid=""
sample_pid=""

log() {
	printf '[demo] %s\n' "$*"
}

fail() {
	printf '[demo] ERROR: %s\n' "$*" >&2
	exit 1
}

show_log_tail() {
	local file="$1"
	if [[ -f "$file" ]]; then
		printf '[demo] --- last lines of %s ---\n' "$file" >&2
		tail -n 40 "$file" >&2
		printf '[demo] ---\n' >&2
	fi
}

is_running() {
	[[ -n "$1" ]] && kill -0 "$1" 2>/dev/null
}

# True when something accepts TCP connections on the port.
port_open() {
	(exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# GET through the edge's public port with the demo hostname; prints the response body.
# Uses curl where there is one, otherwise a plain HTTP/1.1 request over bash's /dev/tcp.
visit() {
	local path="$1"
	if command -v curl >/dev/null 2>&1; then
		curl -s --max-time 5 -H "Host: $DEMO_HOSTNAME" "http://$HOST:$EDGE_PUBLIC_PORT$path"
	else
		visit_with_dev_tcp "$path"
	fi
}

# In a subshell, so that the descriptor and a failed connection stay inside it.
visit_with_dev_tcp() (
	path="$1" status="" in_body=0
	exec 3<>"/dev/tcp/$HOST/$EDGE_PUBLIC_PORT" || exit 1
	printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$DEMO_HOSTNAME" >&3
	while IFS= read -r -t 5 line <&3 || [[ -n "$line" ]]; do
		line="${line%$'\r'}"
		if [[ -z "$status" ]]; then
			status="$line"
		elif ((in_body)); then
			# A chunked body has size lines around the data; the caller looks for a
			# line of its own, so printing them too does no harm.
			printf '%s\n' "$line"
		elif [[ -z "$line" ]]; then
			in_body=1
		fi
	done
	[[ "$status" == *" 200"* ]]
)

answers_hello() {
	local body
	body="$(visit /hello 2>/dev/null)" || return 1
	grep -qx 'hello' <<<"$body"
}

# shellcheck disable=SC2317 # called from the EXIT trap
stop_process() {
	local name="$1" pid="$2" waited=0
	is_running "$pid" || return 0
	log "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || return 0
	while is_running "$pid" && ((waited < DEMO_STOP_TIMEOUT)); do
		sleep 1
		waited=$((waited + 1))
	done
	if is_running "$pid"; then
		log "$name did not stop within ${DEMO_STOP_TIMEOUT}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	trap - EXIT INT TERM
	# The app first, so that it drains its requests and leaves the pool while the edge
	# is still there to see it go.
	stop_process "sample app" "$sample_pid"
	stop_process "edge" "$edge_pid"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_free_port() {
	local name="$1" port="$2"
	if port_open "$port"; then
		fail "port $port ($name) is already in use; stop what uses it or set $name to another port"
	fi
}

command -v java >/dev/null 2>&1 || fail "java not found: the demo needs a JDK 17 or later on the PATH"

require_free_port EDGE_PUBLIC_PORT "$EDGE_PUBLIC_PORT"
require_free_port EDGE_PUBLIC_TLS_PORT "$EDGE_PUBLIC_TLS_PORT"
require_free_port EDGE_TUNNEL_PORT "$EDGE_TUNNEL_PORT"
require_free_port EDGE_API_PORT "$EDGE_API_PORT"
require_free_port EDGE_PROVISIONING_PORT "$EDGE_PROVISIONING_PORT"
require_free_port SAMPLE_PORT "$SAMPLE_PORT"

if [[ "$SKIP_BUILD" != "1" ]]; then
	log "building the edge and the sample app (./mvnw package, tests skipped)"
	./mvnw -q -B -DskipTests -pl warp-edge,sample-app -am package
fi
[[ -f "$EDGE_JAR" ]] || fail "$EDGE_JAR is missing; run without SKIP_BUILD=1 to build it"
[[ -f "$SAMPLE_JAR" ]] || fail "$SAMPLE_JAR is missing; run without SKIP_BUILD=1 to build it"

mkdir -p "$EDGE_DATA_DIR"

log "starting the edge: public port $EDGE_PUBLIC_PORT (HTTPS $EDGE_PUBLIC_TLS_PORT), tunnel port $EDGE_TUNNEL_PORT, API port $EDGE_API_PORT (log: $EDGE_LOG)"
java -jar "$EDGE_JAR" \
	--edge.data-dir="$EDGE_DATA_DIR" \
	--edge.public.port="$EDGE_PUBLIC_PORT" \
	--edge.public.tls.port="$EDGE_PUBLIC_TLS_PORT" \
	--edge.public.tls.certificate-names="*.${DEMO_HOSTNAME#*.},$DEMO_HOSTNAME,localhost,$HOST" \
	--edge.tunnel.port="$EDGE_TUNNEL_PORT" \
	--edge.api.port="$EDGE_API_PORT" \
	--edge.provisioning.port="$EDGE_PROVISIONING_PORT" \
	--edge.bind-address="$HOST" \
	>"$EDGE_LOG" 2>&1 </dev/null &
edge_pid=$!

# The CA certificate may be left from an earlier run, so wait for the listeners too.
waited=0
until [[ -f "$CA_CERTIFICATE" ]] && port_open "$EDGE_TUNNEL_PORT" && port_open "$EDGE_PUBLIC_PORT"; do
	if ! is_running "$edge_pid"; then
		show_log_tail "$EDGE_LOG"
		fail "the edge exited during startup"
	fi
	if ((waited >= DEMO_START_TIMEOUT)); then
		show_log_tail "$EDGE_LOG"
		fail "the edge did not write $CA_CERTIFICATE and open ports $EDGE_TUNNEL_PORT and $EDGE_PUBLIC_PORT within ${DEMO_START_TIMEOUT}s"
	fi
	sleep 1
	waited=$((waited + 1))
done
log "the edge is up; its CA certificate is $CA_CERTIFICATE"

# A connector token for the demo's hostname: it names the edge's tunnel and provisioning ports and
# pins its CA, so that the sample needs nothing else. token create reads the edge's configuration,
# so it gets the same ports. The token reaches the sample through the environment (WARP_TOKEN, which
# Spring Boot reads as warp.token), not its command line (visible to every user in ps).
WARP_TOKEN="$(java -jar "$EDGE_JAR" token create --zone "$DEMO_HOSTNAME" --data-dir "$EDGE_DATA_DIR" \
	--edge.tunnel.port="$EDGE_TUNNEL_PORT" --edge.provisioning.port="$EDGE_PROVISIONING_PORT" 2>/dev/null)" \
	|| fail "could not create an account token in $EDGE_DATA_DIR"
export WARP_TOKEN
log "created a token for $DEMO_HOSTNAME (java -jar $EDGE_JAR token list --data-dir $EDGE_DATA_DIR)"

log "starting the sample app as $DEMO_HOSTNAME with WARP_TOKEN only (log: $SAMPLE_LOG)"
java -jar "$SAMPLE_JAR" \
	--server.port="$SAMPLE_PORT" \
	--warp.hostname="$DEMO_HOSTNAME" \
	--warp.credentials-dir="$DEMO_DIR/credentials" \
	"$@" \
	>"$SAMPLE_LOG" 2>&1 </dev/null &
sample_pid=$!

waited=0
until answers_hello; do
	if ! is_running "$sample_pid"; then
		show_log_tail "$SAMPLE_LOG"
		fail "the sample app exited during startup"
	fi
	if ! is_running "$edge_pid"; then
		show_log_tail "$EDGE_LOG"
		fail "the edge exited while the sample app was starting"
	fi
	if ((waited >= DEMO_START_TIMEOUT)); then
		show_log_tail "$EDGE_LOG"
		show_log_tail "$SAMPLE_LOG"
		fail "http://$HOST:$EDGE_PUBLIC_PORT/hello with Host: $DEMO_HOSTNAME did not answer 'hello' within ${DEMO_START_TIMEOUT}s"
	fi
	sleep 1
	waited=$((waited + 1))
done

base="http://$HOST:$EDGE_PUBLIC_PORT"
cat <<MESSAGE

  Warp is running: the sample app dialed out to the edge, and visitors reach it through
  the edge's public port with the hostname $DEMO_HOSTNAME.

    curl -H 'Host: $DEMO_HOSTNAME' $base/hello
    curl -H 'Host: $DEMO_HOSTNAME' $base/api/info
    curl -N -H 'Host: $DEMO_HOSTNAME' $base/events

  Over HTTPS (HTTP/1.1 or HTTP/2 by ALPN), with a certificate of the edge's own CA:

    curl --cacert $CA_CERTIFICATE --resolve $DEMO_HOSTNAME:$EDGE_PUBLIC_TLS_PORT:$HOST https://$DEMO_HOSTNAME:$EDGE_PUBLIC_TLS_PORT/api/info

  The app's tunnel health:  curl http://$HOST:$SAMPLE_PORT/actuator/health
  Logs:                     $EDGE_LOG
                            $SAMPLE_LOG

  Press Ctrl-C to stop both.

MESSAGE

while is_running "$edge_pid" && is_running "$sample_pid"; do
	sleep 1
done
if ! is_running "$edge_pid"; then
	show_log_tail "$EDGE_LOG"
	fail "the edge stopped"
fi
show_log_tail "$SAMPLE_LOG"
fail "the sample app stopped"
