#!/usr/bin/env bash
# create + write 4 KiB + seal + close through MemFd (direct buffer and byte[]) and through the NativeCalls seam,
# against the same sequence in C, all in one JVM: the C loop (bench/c/peer_loop.c) is a shared library the JVM calls
# through FFM, and the four sides alternate in 300 ms slices (io.memfd.benchmarks.SameProcessBench). Each round's
# ratios compare figures taken within about a second of each other in one process, where bench/run.sh compares a JMH
# fork with a C process that ran a minute before or after it. Results: docs/BENCHMARKS.md (issue 14).
#
#   bench/same-process.sh                  10 s warm-up, 15 rounds
#   bench/same-process.sh --rounds 30      more rounds
#   bench/same-process.sh --no-build       reuse memfd-benchmarks/target/benchmarks.jar
#   taskset -c 1 bench/same-process.sh     on one CPU
#
# Needs a JDK 22+ (FFM) as JAVA_HOME or on the PATH, gcc, Linux 6.3+ (MFD_NOEXEC_SEAL).
set -euo pipefail
script=$(readlink -f "$0")
cd "$(dirname "$script")/.."
source bench/lib.sh

usage() { sed -n '2,/^set -euo/p' "$script" | sed '$d; s/^# \{0,1\}//'; }

rounds=15 build=true
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift ;;
        --no-build) build=false ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar=memfd-benchmarks/target/benchmarks.jar
mkdir -p bench/out
if $build; then
    build_benchmarks
fi
check_backend "$java" "$jar"
gcc -O2 -Wall -shared -fPIC -o bench/out/libmemfd_peer.so bench/c/peer_loop.c
"$java" --enable-native-access=ALL-UNNAMED -cp "$jar" io.memfd.benchmarks.SameProcessBench \
    "$PWD/bench/out/libmemfd_peer.so" 10 "$rounds" 300
