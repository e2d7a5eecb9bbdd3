#!/usr/bin/env bash
# Builds the published jars twice from clean, in two copies of the working tree at different
# paths, and compares them byte for byte. Exits 1 when any jar differs.
#
#   release/check-reproducible.sh
#
# The copies hold the files git knows of (tracked, or new and not ignored), as they are in the
# working tree; no target/ directory comes along. Tests are skipped: they do not change the jars.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

copy() {
	mkdir -p "$1"
	(cd "$root" && git ls-files -z --cached --others --exclude-standard) \
		| tar -C "$root" --null --ignore-failed-read -T - -cf - 2>/dev/null \
		| tar -C "$1" -xf -
}

build() {
	copy "$1"
	(cd "$1" && ./mvnw -B -q -DskipTests -pl '!sample-app,!bench-app' package)
}

start=$SECONDS
build "$work/a"
build "$work/b"
echo "two clean builds: $((SECONDS - start)) s"

differ=0
count=0
while IFS= read -r jar; do
	count=$((count + 1))
	sum="$(sha256sum "$work/a/$jar" | cut -d' ' -f1)"
	if cmp -s "$work/a/$jar" "$work/b/$jar"; then
		echo "identical  $sum  $jar"
	else
		differ=$((differ + 1))
		echo "DIFFERENT  $sum  $jar"
		# Which entries differ (size, CRC or date): the place to start looking.
		diff <(unzip -lv "$work/a/$jar" | sed 1d) <(unzip -lv "$work/b/$jar" | sed 1d) | head -20 || true
	fi
done < <(cd "$work/a" && find . -path '*/target/*' -name '*.jar' -not -path '*/target/*/*' | sed 's#^\./##' | sort)

if [ "$count" -eq 0 ]; then
	echo "no jar built" >&2
	exit 1
fi
if [ "$differ" -ne 0 ]; then
	echo "$differ of $count jars differ between two builds of the same sources" >&2
	exit 1
fi
echo "all $count jars identical in two clean builds"
