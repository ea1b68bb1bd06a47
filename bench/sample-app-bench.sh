#!/usr/bin/env bash
# GET of a blob from the sample app, three ways in one run against one app, by curl in a separate process:
#   memfd  GET /blobs/{id}        the sample's path: a FileRegion on a channel of the sealed memfd (sendfile)
#   file   GET /bench/file/{id}   the same bytes from /dev/shm through FileSystemResource (Spring's zero-copy: sendfile)
#   bytes  GET /bench/bytes/{id}  the same bytes from the heap through ByteArrayResource (copied into buffers)
# Reports the median throughput of ROUNDS rounds (variants interleaved, order rotated each round) for two clients,
# curl (which copies every byte into its own memory, as most clients do) and bench/splice_get.py (which moves the
# bytes to /dev/null with splice(2), so only the server's way of sending shows), the ratios of memfd to its peers, and per request the heap the server allocates and the CPU time it spends, for a 1 MiB and a
# 64 MiB blob.
#
#   bench/sample-app-bench.sh                 # builds the jar first
#   SKIP_BUILD=1 ROUNDS=30 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/sample-app-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-15}
ALLOC_REQUESTS=${ALLOC_REQUESTS:-20}
PORT=${PORT:-18080}
JAVA=${JAVA:-java}
base="http://127.0.0.1:$PORT"
work=$(mktemp -d)

if [ -z "${SKIP_BUILD:-}" ]; then
    ./mvnw -q -pl sample-app -am -DskipTests package
fi
jar=$(ls sample-app/target/sample-app-*.jar | grep -v plain | head -1)

"$JAVA" -Xmx512m -jar "$jar" --server.port="$PORT" --spring.profiles.active=bench >"$work/app.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do
    curl -sf "$base/actuator/health" >/dev/null 2>&1 && break
    kill -0 $app 2>/dev/null || { cat "$work/app.log"; exit 1; }
    sleep 0.5
done

# Upload a blob of random bytes, make its peers, check all three serve the same bytes; prints the id.
prepare() {
    head -c "$1" /dev/urandom >"$work/blob-$1"
    local id
    id=$(curl -sf -X POST --data-binary @"$work/blob-$1" "$base/blobs?name=bench-$1" | grep -o '"id":[0-9]*' | cut -d: -f2)
    curl -sf -X POST "$base/bench/peers/$id" >/dev/null
    local expected
    expected=$(sha256sum <"$work/blob-$1" | cut -d' ' -f1)
    for path in "/blobs/$id" "/bench/file/$id" "/bench/bytes/$id"; do
        [ "$(curl -sf "$base$path" | sha256sum | cut -d' ' -f1)" = "$expected" ] || { echo "wrong bytes from $path" >&2; exit 1; }
    done
    echo "$id"
}
big=$(prepare $((64 << 20)))
small=$(prepare $((1 << 20)))

url() { # variant id
    case $1 in
        memfd) echo "$base/blobs/$2" ;;
        file) echo "$base/bench/file/$2" ;;
        bytes) echo "$base/bench/bytes/$2" ;;
    esac
}
variants=(memfd file bytes)

for _ in 1 2 3; do # warm-up: JIT, pools
    for v in "${variants[@]}"; do curl -s -o /dev/null "$(url "$v" "$big")"; done
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
    for i in 0 1 2; do
        v=${variants[$(((round + i) % 3))]}
        curl -s -o /dev/null -w "curl $v %{speed_download}\n" "$(url "$v" "$big")" >>"$work/speed"
        path=$(url "$v" "$big")
        # The second of two requests on one connection: the first pays for the connection and Python's start.
        echo "splice $v $(python3 bench/splice_get.py 127.0.0.1 "$PORT" "${path#"$base"}" 2 | tail -1)" >>"$work/speed"
    done
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
for client in curl splice; do
    declare -A mibs
    for v in "${variants[@]}"; do
        mibs[$v]=$(awk -v c="$client" -v v="$v" '$1 == c && $2 == v { print (c == "curl" ? $3 / 1048576 : $3) }' \
            "$work/speed" | median)
    done
    echo
    echo "$client: GET of a 64 MiB blob, median of $ROUNDS rounds (MiB/s): memfd ${mibs[memfd]}, file ${mibs[file]}," \
        "bytes ${mibs[bytes]}"
    awk -v m="${mibs[memfd]}" -v f="${mibs[file]}" -v b="${mibs[bytes]}" \
        'BEGIN { printf "  memfd / file = %.2f (target >= 1.0), memfd / bytes = %.2f (target >= 1.5)\n", m / f, m / b }'
done

# Server-side cost per request: heap allocated by all threads, and CPU time of the server process, before and after
# ALLOC_REQUESTS GETs. On loopback the client's copy of the bytes bounds the throughput above; these show the server.
allocated() { curl -sf "$base/bench/allocated"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$app/stat"; }
ticks_per_second=$(getconf CLK_TCK)
echo
echo "per request, server side (median of 3 runs of $ALLOC_REQUESTS GETs): heap allocated (bytes), CPU (ms)"
for v in "${variants[@]}"; do
    line="  $v:"
    for id in "$small" "$big"; do
        for run in 1 2 3; do
            before=$(allocated)
            ticks=$(cpu_ticks)
            for _ in $(seq 1 "$ALLOC_REQUESTS"); do curl -s -o /dev/null "$(url "$v" "$id")"; done
            echo "$(((($(cpu_ticks) - ticks) * 1000 / ticks_per_second) / ALLOC_REQUESTS))" >>"$work/cpu-$v-$id"
            after=$(allocated)
            echo $(((after - before) / ALLOC_REQUESTS))
        done | median >"$work/alloc"
        cpu=$(median <"$work/cpu-$v-$id")
        [ "$id" = "$small" ] && size="1 MiB" || size="64 MiB"
        line="$line $size: $(cat "$work/alloc") B, $cpu ms;"
    done
    echo "$line"
done
"$JAVA" -version 2>&1 | head -1
