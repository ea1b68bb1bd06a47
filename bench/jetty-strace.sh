#!/usr/bin/env bash
# A 64 MiB GET from an ordinary Spring MVC controller on Jetty, two ways (memfd-benchmarks' WebBenchApplication):
#   memfd  a sealed MemFdResource           the starter's converter: read-only mappings handed to Jetty
#   file   a FileSystemResource on /dev/shm Spring's own converter
# For each: the server's system calls per request by kind (strace -c on every thread, REQUESTS requests; strace slows
# every call, so no time is taken then) and, without strace, the median wall time of ROUNDS requests (variants
# interleaved), with the ratio memfd/file.
#
#   bench/jetty-strace.sh                       # builds first
#   SKIP_BUILD=1 ROUNDS=15 bench/jetty-strace.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROUNDS=${ROUNDS:-11}
REQUESTS=${REQUESTS:-3}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
SIZE=$((64 << 20))
java=${JAVA:-java}
work=$(mktemp -d "${TMPDIR:-/tmp}/jetty-strace.XXXXXX")

if [ -z "${SKIP_BUILD:-}" ]; then
    ./mvnw -q -Pbench -pl memfd-benchmarks -am -DskipTests package dependency:build-classpath \
        -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
    ./mvnw -q -Pbench -pl memfd-benchmarks -am -DskipTests package dependency:build-classpath \
        -Dmdep.outputFile=target/jetty-classpath.txt -Dmdep.includeScope=provided
fi
# The application's runtime class path with Jetty in place of Tomcat, as an application that swapped the starters.
cp=memfd-benchmarks/target/classes:$(tr ':' '\n' <memfd-benchmarks/target/classpath.txt | grep -v tomcat | paste -sd:)
cp=$cp:$(tr ':' '\n' <memfd-benchmarks/target/jetty-classpath.txt | grep -v tomcat | paste -sd:)

app=
stop() { if [ -n "$app" ]; then kill "$app" 2>/dev/null; wait "$app" 2>/dev/null || true; app=; fi; rm -rf "$work"; }
trap stop EXIT

"$java" -Xmx1g -cp "$cp" io.memfd.benchmarks.web.WebBenchApplication --server.port="$PORT" \
    --spring.main.web-application-type=servlet --memfd.max-size=64MB >"$work/app.log" 2>&1 &
app=$!
for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$PORT/allocated" >/dev/null 2>&1 && break
    kill -0 "$app" 2>/dev/null || { cat "$work/app.log"; exit 1; }
    sleep 0.5
done
grep -q "Jetty started" "$work/app.log" || { echo "not running on Jetty:"; grep -i started "$work/app.log"; exit 1; }

get() { curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/$1/$SIZE"; }
expected=$(curl -sf "http://127.0.0.1:$PORT/bytes/$SIZE" | sha256sum)
for v in memfd file; do
    [ "$(curl -sf "http://127.0.0.1:$PORT/$v/$SIZE" | sha256sum)" = "$expected" ] || { echo "$v: wrong bytes"; exit 1; }
    for _ in 1 2 3; do get "$v" >/dev/null; done
done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(load), $("$java" -version 2>&1 | head -1), $(grep -m1 'jetty-' "$work/app.log" | grep -o 'jetty-[0-9.]*')"
for v in memfd file; do
    # -f: every thread of the process, those running now and those started meanwhile.
    strace -c -f -o "$work/strace-$v.txt" -p "$app" 2>/dev/null &
    tracer=$!
    sleep 1
    for _ in $(seq 1 "$REQUESTS"); do get "$v" >/dev/null; done
    kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true
    awk -v v="$v" -v n="$REQUESTS" '
        $NF ~ /^(read|pread64|readv|write|writev|pwrite64|sendfile|mmap|munmap)$/ { calls[$NF] = ($4 ~ /^[0-9]+$/) ? $4 : $3 }
        END { printf "%-6s syscalls per request:", v; for (c in calls) printf " %s %d", c, calls[c] / n; print "" }' \
        "$work/strace-$v.txt"
done
for _ in $(seq 1 "$ROUNDS"); do
    get memfd >>"$work/time-memfd"; get file >>"$work/time-file"
done
m=$(sort -n "$work/time-memfd" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
f=$(sort -n "$work/time-file" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
awk -v m="$m" -v f="$f" -v r="$ROUNDS" \
    'BEGIN { printf "wall time per GET (median of %d, no strace): memfd %.1f ms, file %.1f ms, memfd/file %.2f\n", r, m * 1000, f * 1000, m / f }'
