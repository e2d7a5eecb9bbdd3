#!/usr/bin/env bash
# A release dry run: stages release <version> of every published artifact into a local directory
# laid out as a Maven repository, with checksums (MD5, SHA-1, SHA-256, SHA-512), ready to sign and
# upload. Nothing is uploaded, and no committed file changes.
#
#   release/dry-run.sh <version> [directory]     # directory: target/staging/<version> by default
#
# It builds HEAD's commit (uncommitted changes are not part of a release) in a temporary copy whose
# POMs versions:set gives the release version, with the commit's time as the jars' entry dates, so
# that staging the same commit again gives the same jars. Tests are not run: CI ran them on that
# commit. Then release/check-consumer.sh <directory> <version> builds an application against it.
set -euo pipefail
version="${1:?usage: release/dry-run.sh <version> [directory]}"
case "$version" in
	*-SNAPSHOT | '' | *[!A-Za-z0-9._-]*)
		echo "a release version is needed (like 0.1.0), not '$version'" >&2
		exit 2
		;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
staging="$(realpath -m "${2:-$root/target/staging/$version}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

commit="$(git -C "$root" rev-parse HEAD)"
timestamp="$(git -C "$root" show -s --format=%cI "$commit")"
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
	echo "note: uncommitted changes are not staged; staging $commit" >&2
fi
mkdir "$work/src"
git -C "$root" archive "$commit" | tar -x -C "$work/src"

cd "$work/src"
# Every module's version and its parent reference; the BOM too, though it has no parent.
./mvnw -B -q versions:set -DnewVersion="$version" -DgroupId='*' -DartifactId='*' -DoldVersion='*' \
	-DprocessAllModules=true -DgenerateBackupPoms=false -DupdateBuildOutputTimestampPolicy=never
rm -rf "$staging"
mkdir -p "$staging"
# deploy passes through install: into a local repository of this run's own, backed read-only by
# the usual one, so that the release version never lands in the usual one (where it would hide
# the staged artifacts from release/check-consumer.sh).
usual="$(./mvnw -q help:evaluate -Dexpression=settings.localRepository -DforceStdout)"
./mvnw -B -q deploy -DskipTests -pl '!sample-app,!bench-app' \
	-Dmaven.repo.local="$work/repository" -Dmaven.repo.local.tail="$usual" \
	-Dproject.build.outputTimestamp="$timestamp" \
	-DaltDeploymentRepository="staging::file://$staging" \
	-Daether.checksums.algorithms=SHA-512,SHA-256,SHA-1,MD5

echo "staged $version of commit $commit ($timestamp) in $staging:"
(cd "$staging" && find . -type f -name "*-$version*" \
	\( -name '*.jar' -o -name '*.pom' \) | sed 's#^\./##' | sort)
