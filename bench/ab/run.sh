#!/usr/bin/env bash
# A/B of two memfd-core jars (or of two sequences on one jar) in one JVM: io.memfd.Sequences' create + write 4 KiB +
# seal + close, layer by layer, alternating in 300 ms slices (AbBench). Prints B/A per round, then its median,
# quartiles and range. Results: docs/BENCHMARKS.md (issue 14).
#
#   bench/ab/run.sh JAR_A SEQUENCE_A JAR_B SEQUENCE_B [ROUNDS]    e.g.
#   bench/ab/run.sh old.jar direct new.jar direct 60              the library before and after a change
#   bench/ab/run.sh core.jar seam core.jar direct 40              what the library adds to the bare seam
#   bench/ab/run.sh core.jar direct core.jar direct 40            A/A: the harness's own spread
#
# Sequences: seam, bindings, buffer, handle, state, object, direct, heap (see bench/ab/io/memfd/Sequences.java).
# A jar: memfd-core/target/memfd-core-*-SNAPSHOT.jar of a build (with its META-INF/versions/22 for FFM on Java 22+).
# JAVA_HOME or the PATH gives the JDK; 10 s warm-up.
set -euo pipefail
script=$(readlink -f "$0")
here=$(dirname "$script")
if [ $# -lt 4 ]; then
    sed -n '2,/^set -euo/p' "$script" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
jar_a=$(readlink -f "$1") sequence_a=$2 jar_b=$(readlink -f "$3") sequence_b=$4 rounds=${5:-40}
bin="${JAVA_HOME:+$JAVA_HOME/bin/}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Sequences reaches package-private code, so it is compiled against each jar it runs with.
"${bin}javac" -d "$out/a" -cp "$jar_a" "$here/io/memfd/Sequences.java"
"${bin}javac" -d "$out/b" -cp "$jar_b" "$here/io/memfd/Sequences.java"
"${bin}javac" -d "$out/main" "$here/AbBench.java"
"${bin}java" --enable-native-access=ALL-UNNAMED -cp "$out/main" AbBench \
    "$jar_a" "$out/a" "$sequence_a" "$jar_b" "$out/b" "$sequence_b" "$rounds" 300 10
