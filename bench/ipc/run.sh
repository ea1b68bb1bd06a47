#!/usr/bin/env bash
# Benchmarks the zero-copy IPC of memfd-core (io.memfd.ipc) against C peers doing the same system calls, in one run:
# the round trip of handing a sealed memfd from a client process to a server process and getting the reply, for a
# 4 KiB and a 64 MiB buffer, and the round trip of copying 64 MiB through a socket instead. Results: docs/BENCHMARKS.md.
#
#   bench/ipc/run.sh                 3 rounds (about 5 minutes)
#   bench/ipc/run.sh --rounds 5      more rounds
#   bench/ipc/run.sh --quick         1 short round: checks the harness, figures are rough
#   bench/ipc/run.sh --cpus 0        every process on CPU 0 only (taskset): no cross-CPU wake-ups, whose cost in a
#                                    VM (tens of microseconds) otherwise depends on where the scheduler puts each side
#   bench/ipc/run.sh --no-build      reuse memfd-benchmarks/target/benchmarks.jar
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/ipc/run.sh     on another JDK (builds and runs with it)
#
# Every client and server is a process of its own (a fresh JVM for each Java side: io.memfd.benchmarks.ipc.IpcBench
# in the memfd-benchmarks module), connected by a Unix socket in bench/out/. The C peers (bench/c/ipc_peer.c) speak
# io.memfd.ipc's wire format, so the pairs are:
#   C -> C           the floor: sendmsg/recvmsg with SCM_RIGHTS, close, reply
#   C -> C checked   the same, the server also making MemFdServer's checks (readlinkat, fstat, F_GET_SEALS)
#   Java -> Java     MemFdClient.send to a MemFdServer whose handler replies at once: the server checks and adopts
#                    the memfd and closes it after the handler; nothing is mapped
#   C -> Java, Java -> C   which side the Java time goes to
# Each client does what a JMH fork does in AverageTime mode: warm-up iterations, then timed iterations; its figure is
# the median over the timed iterations of the time per round trip. The table gives the median over rounds of each
# figure and of each ratio computed within a round. Pairs alternate their order from round to round, so that both
# sides of a ratio see nearly the same machine load. Raw results and the report go to bench/out/ (ignored by git).
# Needs: a JDK 17+, gcc, Linux 3.17+.
set -euo pipefail
script=$(readlink -f "$0")
cd "$(dirname "$script")/../.."
source bench/lib.sh

usage() { sed -n '2,/^set -euo/p' "$script" | sed '$d; s/^# \{0,1\}//'; }

rounds=3 warmups=6 iterations=10 measure_ms=500 cpus="" build=true
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) rounds=1 warmups=2 iterations=3 measure_ms=500 ;;
        --rounds) rounds="$2"; shift ;;
        --cpus) cpus="$2"; shift ;;
        --no-build) build=false ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar=memfd-benchmarks/target/benchmarks.jar
out=bench/out
socket="$out/ipc-bench.sock"
stamp=$(date +%Y%m%d-%H%M%S)
results="$out/ipc-results-$stamp.tsv"
report="$out/ipc-report-$stamp.txt"
small=4096 large=67108864
mkdir -p "$out"

if $build; then
    build_benchmarks
fi
check_backend "$java" "$jar"
gcc -O2 -Wall -o "$out/ipc_peer" bench/c/ipc_peer.c

pin=()
if [ -n "$cpus" ]; then pin=(taskset -c "$cpus"); fi
java_cmd=("${pin[@]}" "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" io.memfd.benchmarks.ipc.IpcBench)
c_cmd=("${pin[@]}" "$out/ipc_peer")
server_pid=""

# Starts a server ($@) in the background and waits until it prints "ready".
start_server() {
    rm -f "$socket"
    "$@" > "$out/ipc-server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 300); do
        grep -q '^ready' "$out/ipc-server.log" 2> /dev/null && return 0
        kill -0 "$server_pid" 2> /dev/null || break
        sleep 0.1
    done
    cat "$out/ipc-server.log" >&2
    echo "the server did not start: $*" >&2
    exit 1
}

stop_server() {
    kill "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
    server_pid=""
}
trap stop_server EXIT

# Prints "round<TAB>label<TAB>ns per round trip" for one client/server pair.
run_pair() {
    local round=$1 label=$2 client=$3 server=$4 mode=$5 size=$6 check=${7:-}
    local -n client_cmd="${client}_cmd" server_cmd="${server}_cmd"
    if [ "$mode" = copy ]; then
        start_server "${server_cmd[@]}" copy-serve "$socket" "$size"
        mode=copy-send
    else
        start_server "${server_cmd[@]}" serve "$socket" $check
        mode=send
    fi
    "${client_cmd[@]}" "$mode" "$socket" "$size" "$warmups" "$iterations" "$measure_ms" \
        | awk -v r="$round" -v l="$label" -F'\t' '{ print r "\t" l "\t" $2 }'
    stop_server
}

# label, client, server, mode, size, server option
pairs=(
    "fd-4k-c-c          c    c    fd   $small"
    "fd-4k-java-java    java java fd   $small"
    "fd-64m-c-c         c    c    fd   $large"
    "fd-64m-java-java   java java fd   $large"
    "fd-4k-c-cchecked   c    c    fd   $small check"
    "fd-4k-c-java       c    java fd   $small"
    "fd-4k-java-c       java c    fd   $small"
    "copy-64m-c-c       c    c    copy $large"
    "copy-64m-java-java java java copy $large"
)

{
    machine_facts
    echo "cpus:    ${cpus:-any (not pinned)}"
    echo "method:  $rounds round(s); per pair, a fresh server and client process; $warmups x $measure_ms ms warm-up,"
    echo "         $iterations x $measure_ms ms measured; medians of iterations, then of rounds"
    echo "load at start (1, 5, 15 min): $(load)"
} | tee "$report"

loads=""
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds (load $(load))" >&2
    loads="$loads $(load | cut -d, -f1)"
    ordered=("${pairs[@]}")
    if [ $((round % 2)) = 0 ]; then
        ordered=()
        for ((i = ${#pairs[@]} - 1; i >= 0; i--)); do ordered+=("${pairs[i]}"); done
    fi
    for pair in "${ordered[@]}"; do
        read -r label client server mode size check <<< "$pair"
        run_pair "$round" "$label" "$client" "$server" "$mode" "$size" "$check"
    done >> "$results"
done

# Rows: label, figure, peer figure, kind, target (<= x, >= x, or a range lo-hi). Kinds: "time" = figure / peer
# (lower is better); "speedup" = peer / figure (higher is better).
report_rows='hand-off 4 KiB, Java -> Java vs C -> C|fd-4k-java-java|fd-4k-c-c|time|<= 2
hand-off 64 MiB, Java -> Java vs C -> C|fd-64m-java-java|fd-64m-c-c|time|<= 2
hand-off Java -> Java, 64 MiB vs 4 KiB|fd-64m-java-java|fd-4k-java-java|time|0.8-1.2
hand-off C -> C, 64 MiB vs 4 KiB|fd-64m-c-c|fd-4k-c-c|time|-
hand-off 64 MiB (Java) vs copying it (Java)|fd-64m-java-java|copy-64m-java-java|speedup|>= 100
hand-off 64 MiB (Java) vs copying it (C)|fd-64m-java-java|copy-64m-c-c|speedup|>= 100
where the time goes: C server with the checks|fd-4k-c-cchecked|fd-4k-c-c|time|-
where the time goes: Java server, C client|fd-4k-c-java|fd-4k-c-c|time|-
where the time goes: Java client, C server|fd-4k-java-c|fd-4k-c-c|time|-
copy 64 MiB, Java vs C|copy-64m-java-java|copy-64m-c-c|time|-'

{
    echo "load at end (1, 5, 15 min): $(load); 1-min load at each round's start:$loads"
    echo
    awk -F'\t' -v rows="$report_rows" "$report_awk"'
    function show(ns) { return ns >= 1e6 ? sprintf("%.2f ms", ns / 1e6) : sprintf("%.1f us", ns / 1e3) }
    { value[$1, $2] = $3; if (!($1 in seen)) { seen[$1] = 1; roundlist = roundlist " " $1 } }
    END {
        format = "%-46s %-11s %-20s %-11s %-16s %-13s %-8s %s\n"
        printf format, "comparison", "figure", "peer", "peer", "ratio (median)", "range", "target", ""
        nrows = split(rows, row, "\n"); nr = split(roundlist, rl, " ")
        for (k = 1; k <= nrows; k++) {
            split(row[k], f, "|"); figures = peers = ratios = ""
            for (i = 1; i <= nr; i++) {
                r = rl[i]; a = value[r, f[2]]; p = value[r, f[3]]
                if (a == "" || p == "") continue
                figures = figures " " a; peers = peers " " p
                ratios = ratios " " (f[4] == "time" ? a / p : p / a)
            }
            if (ratios == "") { printf "%-46s (missing)\n", f[1]; continue }
            ratio = median(ratios); target = f[5]
            label = f[4] == "time" ? "x time" : "x faster"
            printf format, f[1], show(median(figures)), f[3], show(median(peers)), sprintf("%.2f %s", ratio, label),
                span(ratios), target, verdict(ratio, target)
        }
    }' "$results"
    echo
    echo "figures are medians of round-trip times; 'x time' = figure / peer; 'x faster' = peer / figure."
    echo "Each ratio is computed within a round; 'range' spans the rounds. raw: $results"
} | tee -a "$report"
