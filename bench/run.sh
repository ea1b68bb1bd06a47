#!/usr/bin/env bash
# Benchmarks memfd-core (JMH, module memfd-benchmarks) against C peers doing the same system calls (bench/c), in one
# run, and prints each Java figure next to its peer and the ratio between them. What each figure means:
# docs/BENCHMARKS.md.
#
#   bench/run.sh                  full run: 3 rounds (about 14 minutes on 2 cores)
#   bench/run.sh --quick          1 short round (about 1.5 minutes): checks the harness, figures are rough
#   bench/run.sh --rounds 5       more rounds (each about 4.5 minutes)
#   bench/run.sh --no-build       reuse memfd-benchmarks/target/benchmarks.jar
#   bench/run.sh --only 'geteuid get_seals'   only the pairs of these C ops (the other rows show as missing)
#   bench/run.sh --cpus 1         both sides on CPU 1 only (taskset), the JVM's own threads included: neither side
#                                 migrates, so the other CPU's load and the scheduler's choices weigh less on a ratio
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/run.sh     on another JDK (builds and runs with it)
#
# Each C peer runs right before or right after its JMH benchmark(s), alternating from round to round, so that both
# sides of a ratio see nearly the same machine load. Each side does what a JMH fork does in AverageTime mode:
# warm-up iterations, then timed iterations; its figure is the median over the timed iterations of the time per
# operation. The table gives, per row, the median over rounds of each side's figure and of the ratio computed within
# each round. Raw results and the report go to bench/out/ (ignored by git).
#
# To profile one benchmark, run the jar directly, e.g.:
#   java -jar memfd-benchmarks/target/benchmarks.jar CreateBenchmark.memfdWriteHeapSeal -prof gc
# Needs: a JDK 17+, gcc, Linux 6.3+ (MFD_NOEXEC_SEAL).
set -euo pipefail
script=$(readlink -f "$0")
cd "$(dirname "$script")/.."
source bench/lib.sh

usage() { sed -n '2,/^set -euo/p' "$script" | sed '$d; s/^# \{0,1\}//'; }

# 10 s of warm-up per fork: on these 2 cores the JIT still compiles the library's create path 6 to 8 s into a fork
# (time per op falls until then), and a 3 s warm-up measured that instead of the steady state.
rounds=3 warmups=5 warmup_ms=2000 iterations=10 measure_ms=500 build=true only="" cpus=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) rounds=1 warmups=2 warmup_ms=500 iterations=3 measure_ms=500 ;;
        --rounds) rounds="$2"; shift ;;
        --no-build) build=false ;;
        --only) only=" $2 "; shift ;;
        --cpus) cpus="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
pin=()
if [ -n "$cpus" ]; then pin=(taskset -c "$cpus"); fi
jar=memfd-benchmarks/target/benchmarks.jar
out=bench/out
stamp=$(date +%Y%m%d-%H%M%S)
results="$out/results-$stamp.tsv"
report="$out/report-$stamp.txt"
mkdir -p "$out"

if $build; then
    build_benchmarks
fi
check_backend "$java" "$jar"
gcc -O2 -Wall -o "$out/memfd_bench" bench/c/memfd_bench.c

# One C peer and the JMH benchmarks compared with it (benchmark names are regular expressions for JMH).
# The native seam's benchmarks (NativeCallsBenchmark) run through JNA everywhere and through FFM on Java 22+.
feature=$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')
if [ "$feature" -ge 22 ]; then seams="(Jna|Ffm)CallsBenchmark"; else seams="JnaCallsBenchmark"; fi
pairs=(
    "create_close       CreateBenchmark.memfdCreateClose"
    "create_write_seal  CreateBenchmark.memfdWrite(Heap|Direct)Seal|$seams.createWriteSeal"
    "get_seals          CreateBenchmark.memfdSeals|$seams.getSeals"
    "geteuid            $seams.geteuid"
    "tmpfs_write_delete CreateBenchmark.tmpfsFileWriteDelete"
    "mapped_sum         MappedReadBenchmark.mapped(GetLong|LongBuffer)"
    "pread_bounce       MappedReadBenchmark.read(AllBytes|IntoHeapArray)"
    "pread_direct       MappedReadBenchmark.readIntoDirectBuffer"
)

# Prints "round<TAB>c:op<TAB>ns per op".
run_c() {
    "${pin[@]}" "$out/memfd_bench" -w 1 -i "$iterations" -t "$measure_ms" "$2" \
        | awk -v r="$1" -F'\t' '{ print r "\tc:" $1 "\t" $2 }'
}

# Prints "round<TAB>java:Class.method<TAB>ns per op" for each benchmark matching $2, from JMH's JSON result: the
# median ("50.0" percentile) of the primary metric over the measured iterations.
run_java() {
    local tag="${2%%.*}" json="$out/jmh-$stamp.json"
    local log="$out/jmh-$stamp-$1-${tag//[^A-Za-z0-9]/_}.log"
    "${pin[@]}" "$java" -jar "$jar" "\\.($2)\$" -f 1 -wi "$warmups" -w "${warmup_ms}ms" -i "$iterations" \
        -r "${measure_ms}ms" -rf json -rff "$json" >> "$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
    awk -v r="$1" -F'"' '
        $2 == "benchmark" { n = split($4, parts, "."); name = parts[n - 1] "." parts[n] }
        $2 == "primaryMetric" { primary = 1 }
        primary && $2 == "50.0" { median = $3; gsub(/[ :,]/, "", median) }
        primary && $2 == "scoreUnit" {
            scale = $4 == "ns/op" ? 1 : $4 == "us/op" ? 1e3 : $4 == "ms/op" ? 1e6 : $4 == "s/op" ? 1e9 : -1
            if (scale < 0) { print "unexpected unit " $4 > "/dev/stderr"; exit 1 }
            printf "%s\tjava:%s\t%.1f\n", r, name, median * scale; primary = 0 }' "$json"
}

machine() {
    machine_facts
    echo "cpus:    ${cpus:-any (not pinned)}"
    echo "method:  $rounds round(s); per benchmark 1 JMH fork, $warmups x $warmup_ms ms warm-up, $iterations x $measure_ms ms"
    echo "         measured; per C peer 1 x $measure_ms ms warm-up, $iterations x $measure_ms ms measured; medians of"
    echo "         iterations, then of rounds"
}

{ machine; echo "load at start (1, 5, 15 min): $(load)"; } | tee "$report"

loads=""
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds (load $(load))" >&2
    loads="$loads $(load | cut -d, -f1)"
    for pair in "${pairs[@]}"; do
        read -r op benchmarks <<< "$pair"
        [ -z "$only" ] || [[ "$only" == *" $op "* ]] || continue
        if [ $((round % 2)) = 1 ]; then
            run_c "$round" "$op"; run_java "$round" "$benchmarks"
        else
            run_java "$round" "$benchmarks"; run_c "$round" "$op"
        fi >> "$results"
    done
done

# Rows: label, Java benchmark, peer, kind, target. Kinds: "time" = Java time / peer time (lower is better);
# "rate" = Java throughput / peer throughput (higher is better); "speedup" = peer time / Java time (higher is better).
report_rows='create + close (calibration)|CreateBenchmark.memfdCreateClose|c:create_close|time|-
create + write 4 KiB byte[] + seal + close|CreateBenchmark.memfdWriteHeapSeal|c:create_write_seal|time|<= 1.15
create + write 4 KiB direct + seal + close|CreateBenchmark.memfdWriteDirectSeal|c:create_write_seal|time|<= 1.15
F_GET_SEALS|CreateBenchmark.memfdSeals|c:get_seals|time|<= 1.5
seam JNA: geteuid|JnaCallsBenchmark.geteuid|c:geteuid|time|-
seam FFM: geteuid|FfmCallsBenchmark.geteuid|c:geteuid|time|-
seam JNA: F_GET_SEALS|JnaCallsBenchmark.getSeals|c:get_seals|time|-
seam FFM: F_GET_SEALS|FfmCallsBenchmark.getSeals|c:get_seals|time|-
seam JNA: create+write 4 KiB+seal+close|JnaCallsBenchmark.createWriteSeal|c:create_write_seal|time|-
seam FFM: create+write 4 KiB+seal+close|FfmCallsBenchmark.createWriteSeal|c:create_write_seal|time|-
seam FFM vs JNA: geteuid|FfmCallsBenchmark.geteuid|java:JnaCallsBenchmark.geteuid|speedup|-
seam FFM vs JNA: F_GET_SEALS|FfmCallsBenchmark.getSeals|java:JnaCallsBenchmark.getSeals|speedup|-
seam FFM vs JNA: create+write+seal+close|FfmCallsBenchmark.createWriteSeal|java:JnaCallsBenchmark.createWriteSeal|speedup|-
/dev/shm temp file + write 4 KiB + delete|CreateBenchmark.tmpfsFileWriteDelete|c:tmpfs_write_delete|time|-
memfd (byte[]) vs /dev/shm temp file, Java|CreateBenchmark.memfdWriteHeapSeal|java:CreateBenchmark.tmpfsFileWriteDelete|speedup|>= 1.7
sum 64 MiB mapped, getLong|MappedReadBenchmark.mappedGetLong|c:mapped_sum|rate|>= 0.8
sum 64 MiB mapped, LongBuffer view|MappedReadBenchmark.mappedLongBuffer|c:mapped_sum|rate|>= 0.8
readAllBytes 64 MiB (new byte[], bounce)|MappedReadBenchmark.readAllBytes|c:pread_bounce|rate|-
read 64 MiB into byte[] (bounce)|MappedReadBenchmark.readIntoHeapArray|c:pread_bounce|rate|-
read 64 MiB into direct buffer|MappedReadBenchmark.readIntoDirectBuffer|c:pread_direct|rate|-'

{
    echo "load at end (1, 5, 15 min): $(load); 1-min load at each round's start:$loads"
    echo
    awk -F'\t' -v rows="$report_rows" "$report_awk"'
    # 64 MiB reads as ms and GB/s (10^9 bytes/s); everything else as microseconds.
    function show(ns, key) {
        return key ~ /mapped_sum|pread|MappedRead/ \
            ? sprintf("%.2f ms %5.2f GB/s", ns / 1e6, 67108864 / ns) : sprintf("%.2f us", ns / 1e3)
    }
    { value[$1, $2] = $3; if (!($1 in seen)) { seen[$1] = 1; roundlist = roundlist " " $1 } }
    END {
        format = "%-43s %-21s %-27s %-21s %-15s %-10s %-7s %s\n"
        printf format, "operation", "Java (median)", "peer", "peer (median)", "ratio (median)", "range", "target", ""
        nrows = split(rows, row, "\n"); nr = split(roundlist, rl, " ")
        for (k = 1; k <= nrows; k++) {
            split(row[k], f, "|"); javas = peers = ratios = ""
            for (i = 1; i <= nr; i++) {
                r = rl[i]; j = value[r, "java:" f[2]]; p = value[r, f[3]]
                if (j == "" || p == "") continue
                javas = javas " " j; peers = peers " " p
                ratios = ratios " " (f[4] == "time" ? j / p : p / j)
            }
            if (ratios == "") { printf "%-43s (missing)\n", f[1]; continue }
            ratio = median(ratios); target = f[5]
            label = f[4] == "time" ? "x time" : f[4] == "rate" ? "x rate" : "x faster"
            peer = f[3]; sub(/^c:/, "C ", peer); sub(/^java:/, "Java ", peer)
            printf format, f[1], show(median(javas), f[2]), peer, show(median(peers), f[3]),
                sprintf("%.2f %s", ratio, label), span(ratios), target, verdict(ratio, target)
        }
    }' "$results"
    echo
    echo "ratios: 'x time' = Java time / peer time; 'x rate' = Java throughput / peer throughput;"
    echo "'x faster' = peer time / Java time. Each is computed within a round; 'range' spans the rounds."
    echo "raw: $results; JMH logs: $out/jmh-$stamp-*.log"
} | tee -a "$report"
