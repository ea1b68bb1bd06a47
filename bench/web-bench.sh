#!/usr/bin/env bash
# GET of the same bytes three ways from an ordinary controller, on WebFlux (Reactor Netty) and on Spring MVC (Tomcat),
# one application (memfd-benchmarks' WebBenchApplication) per stack:
#   memfd  a sealed MemFdResource           the starter's writer (WebFlux: sendfile; MVC: its own descriptor, no heap)
#   file   a FileSystemResource on /dev/shm Spring's own writer (WebFlux: sendfile; MVC: 8 KiB copies)
#   bytes  a ByteArrayResource              Spring's own writer (copied from the heap)
# For a 1 MiB and a 64 MiB body it reports, per stack, the median throughput of ROUNDS rounds (variants interleaved,
# order rotated each round) with bench/splice_get.py (the client moves the bytes to /dev/null with splice(2), so only
# the server's way of sending shows), the ratios of memfd to its peers, and per request the heap the server allocates
# (all threads, ThreadMXBean), the CPU time it spends (/proc/PID/stat) and the read and write system calls it makes
# (syscr + syscw in /proc/PID/io: each read, pread, write, writev or sendfile counts).
#
#   bench/web-bench.sh                          # builds first
#   SKIP_BUILD=1 ROUNDS=21 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/web-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROUNDS=${ROUNDS:-15}
COST_REQUESTS=${COST_REQUESTS:-20}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
java=${JAVA:-java}
out=bench/out
report="$out/web-bench-$(date -u +%Y%m%dT%H%M%S).txt"
# Raw figures stay next to the report, so that a run cut short still shows what it measured.
work="${report%.txt}.d"
mkdir -p "$work"

if [ -z "${SKIP_BUILD:-}" ]; then
    # The class path (sibling modules as their jars) goes to each module's target/classpath.txt.
    ./mvnw -q -Pbench -pl memfd-benchmarks -am -DskipTests package dependency:build-classpath \
        -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
cp=memfd-benchmarks/target/classes:$(cat memfd-benchmarks/target/classpath.txt)
# One server per stack, as an application has: Reactor Netty for WebFlux, Tomcat for MVC. With Jetty on the class path
# (bench/jetty-strace.sh's, a provided dependency) Boot would start the reactive application on Jetty, where neither
# the memfd's nor Spring's file writer can use sendfile.
without() { tr ':' '\n' <<<"$cp" | grep -v -e "$@" | paste -sd:; }
reactive_cp=$(without /org/eclipse/jetty/ -e /org/apache/tomcat/)
servlet_cp=$(without /org/eclipse/jetty/)

app=
stop() { if [ -n "$app" ]; then kill "$app" 2>/dev/null; wait "$app" 2>/dev/null || true; app=; fi; }
trap stop EXIT

start() { # stack
    local classpath=$servlet_cp
    [ "$1" = reactive ] && classpath=$reactive_cp
    "$java" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$classpath" io.memfd.benchmarks.web.WebBenchApplication \
        --server.port="$PORT" --spring.main.web-application-type="$1" --memfd.max-size=64MB >"$work/app-$1.log" 2>&1 &
    app=$!
    for _ in $(seq 1 240); do
        curl -sf "http://127.0.0.1:$PORT/allocated" >/dev/null 2>&1 && return
        kill -0 "$app" 2>/dev/null || { cat "$work/app-$1.log"; exit 1; }
        sleep 0.5
    done
    echo "the $1 application did not start" >&2; exit 1
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
variants=(memfd file bytes)
sizes=($((1 << 20)) $((64 << 20)))

measure() { # stack
    local stack=$1 base="http://127.0.0.1:$PORT"
    for size in "${sizes[@]}"; do
        expected=$(curl -sf "$base/bytes/$size" | sha256sum)
        for v in "${variants[@]}"; do
            [ "$(curl -sf "$base/$v/$size" | sha256sum)" = "$expected" ] || { echo "$stack: wrong bytes from $v" >&2; exit 1; }
        done
    done
    for _ in 1 2 3; do for v in "${variants[@]}"; do for size in "${sizes[@]}"; do
        curl -s -o /dev/null "$base/$v/$size"; done; done; done
    echo "$stack load before: $(load)"
    for round in $(seq 1 "$ROUNDS"); do
        for i in 0 1 2; do
            v=${variants[$(((round + i) % 3))]}
            for size in "${sizes[@]}"; do
                # Several requests on one connection; the first pays for the connection and Python's start.
                n=$([ "$size" -gt $((1 << 20)) ] && echo 2 || echo 6)
                python3 bench/splice_get.py 127.0.0.1 "$PORT" "/$v/$size" "$n" | tail -n +2 |
                    sed "s/^/$stack $v $size /" >>"$work/speed"
            done
        done
    done
    echo "$stack load after:  $(load)"
    ticks_per_second=$(getconf CLK_TCK)
    for v in "${variants[@]}"; do
        for size in "${sizes[@]}"; do
            for run in 1 2 3; do
                before=$(curl -sf "$base/allocated")
                ticks=$(awk '{ print $14 + $15 }' "/proc/$app/stat")
                calls=$(awk '/^sysc[rw]:/ { s += $2 } END { print s }' "/proc/$app/io")
                for _ in $(seq 1 "$COST_REQUESTS"); do curl -s -o /dev/null "$base/$v/$size"; done
                echo "$stack $v $size calls $(awk -v c="$calls" -v n="$COST_REQUESTS" \
                    '/^sysc[rw]:/ { s += $2 } END { printf "%.0f", (s - c) / n }' "/proc/$app/io")" >>"$work/cost"
                echo "$stack $v $size cpu $(awk -v t="$ticks" -v hz="$ticks_per_second" -v n="$COST_REQUESTS" \
                    '{ printf "%.2f", ($14 + $15 - t) * 1000 / hz / n }' "/proc/$app/stat")" >>"$work/cost"
                echo "$stack $v $size heap $((($(curl -sf "$base/allocated") - before) / COST_REQUESTS))" >>"$work/cost"
            done
        done
    done
}

{
    machine_facts
    echo "rounds:  $ROUNDS, $COST_REQUESTS requests per cost figure, port $PORT"
    for stack in reactive servlet; do
        start "$stack"
        measure "$stack"
        stop
    done
    echo
    for stack in reactive servlet; do
        for size in "${sizes[@]}"; do
            declare -A mibs cpu heap calls
            for v in "${variants[@]}"; do
                mibs[$v]=$(awk -v s="$stack" -v v="$v" -v z="$size" '$1 == s && $2 == v && $3 == z { print $4 }' "$work/speed" | median)
                cpu[$v]=$(awk -v s="$stack" -v v="$v" -v z="$size" '$1 == s && $2 == v && $3 == z && $4 == "cpu" { print $5 }' "$work/cost" | median)
                heap[$v]=$(awk -v s="$stack" -v v="$v" -v z="$size" '$1 == s && $2 == v && $3 == z && $4 == "heap" { print $5 }' "$work/cost" | median)
                calls[$v]=$(awk -v s="$stack" -v v="$v" -v z="$size" '$1 == s && $2 == v && $3 == z && $4 == "calls" { print $5 }' "$work/cost" | median)
            done
            printf '%-8s %6s  MiB/s memfd %7.0f  file %7.0f  bytes %7.0f | memfd/file %.2f  memfd/bytes %.2f' \
                "$stack" "$((size >> 20))MiB" "${mibs[memfd]}" "${mibs[file]}" "${mibs[bytes]}" \
                "$(awk -v a="${mibs[memfd]}" -v b="${mibs[file]}" 'BEGIN { print a / b }')" \
                "$(awk -v a="${mibs[memfd]}" -v b="${mibs[bytes]}" 'BEGIN { print a / b }')"
            printf ' | CPU ms/req %s %s %s | heap B/req %s %s %s | syscalls/req %s %s %s\n' \
                "${cpu[memfd]}" "${cpu[file]}" "${cpu[bytes]}" "${heap[memfd]}" "${heap[file]}" "${heap[bytes]}" \
                "${calls[memfd]}" "${calls[file]}" "${calls[bytes]}"
        done
    done
    "$java" -version 2>&1 | head -1
} | tee "$report"
echo "report: $report"
