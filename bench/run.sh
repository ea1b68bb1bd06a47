#!/usr/bin/env bash
# Benchmarks memfd-core (JMH, module memfd-benchmarks) against C peers doing the same system calls (bench/c), in one
# run, and prints each Java figure next to its peer and the ratio between them. What each figure means:
# docs/BENCHMARKS.md.
#
#   bench/run.sh                  full run: 3 rounds (about 7 minutes on 2 cores)
#   bench/run.sh --quick          1 short round (about 1 minute): checks the harness, figures are rough
#   bench/run.sh --rounds 5       more rounds
#   bench/run.sh --no-build       reuse memfd-benchmarks/target/benchmarks.jar
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/run.sh     on another JDK (builds and runs with it)
#
# A round runs, for each group of benchmarks (create, read), the C peers and the JMH benchmarks back to back,
# alternating which side goes first, so both sides see the same machine load. Each side does what a JMH fork does in
# AverageTime mode: warm-up iterations, then timed iterations, reporting the mean time per operation. The table gives
# the median over rounds of each side's figure, and the median over rounds of the ratio computed within each round.
# Raw results and the report go to bench/out/ (ignored by git).
#
# To profile one benchmark, run the jar directly, e.g.:
#   java -jar memfd-benchmarks/target/benchmarks.jar CreateBenchmark.memfdWriteHeapSeal -prof gc
# Needs: a JDK 17+, gcc, Linux 6.3+ (MFD_NOEXEC_SEAL).
set -euo pipefail
script=$(readlink -f "$0")
cd "$(dirname "$script")/.."

usage() { sed -n '2,/^set -euo/p' "$script" | sed '$d; s/^# \{0,1\}//'; }

rounds=3 warmups=3 iterations=5 millis=1000 build=true
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) rounds=1 warmups=2 iterations=3 millis=500 ;;
        --rounds) rounds="$2"; shift ;;
        --no-build) build=false ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar=memfd-benchmarks/target/benchmarks.jar
out=bench/out
stamp=$(date +%Y%m%d-%H%M%S)
results="$out/results-$stamp.tsv"
report="$out/report-$stamp.txt"
mkdir -p "$out"

if $build; then
    ./mvnw -q -Pbench -pl memfd-benchmarks -am package -DskipTests
fi
gcc -O2 -Wall -o "$out/memfd_bench" bench/c/memfd_bench.c

# group name, JMH class, C ops
groups=(
    "create CreateBenchmark create_close create_write_seal get_seals tmpfs_write_delete"
    "read MappedReadBenchmark mapped_sum pread_direct pread_bounce"
)

# Appends "round<TAB>c:op<TAB>ns" lines.
run_c() {
    local round=$1; shift
    "$out/memfd_bench" -w 1 -i "$iterations" -t "$millis" "$@" | awk -v r="$round" -F'\t' '{ print r "\tc:" $1 "\t" $2 }'
}

# Appends "round<TAB>java:Class.method<TAB>ns" lines.
run_java() {
    local round=$1 class=$2 csv="$out/jmh-$stamp-$round-$2.csv"
    "$java" -jar "$jar" "\\.$class\\." -f 1 -wi "$warmups" -w "${millis}ms" -i "$iterations" -r "${millis}ms" \
        -rf csv -rff "$csv" > "$out/jmh-$stamp-$round-$class.log" 2>&1 \
        || { tail -30 "$out/jmh-$stamp-$round-$class.log" >&2; exit 1; }
    awk -v r="$round" -F',' 'NR > 1 {
        gsub(/["\r]/, ""); n = split($1, parts, "."); name = parts[n - 1] "." parts[n]
        scale = $7 == "ns/op" ? 1 : $7 == "us/op" ? 1e3 : $7 == "ms/op" ? 1e6 : $7 == "s/op" ? 1e9 : -1
        if (scale < 0) { print "unexpected unit " $7 > "/dev/stderr"; exit 1 }
        printf "%s\tjava:%s\t%.1f\n", r, name, $5 * scale }' "$csv"
}

machine() {
    echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel:  $(uname -r) ($(uname -m)), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "virt:    $(lscpu 2>/dev/null | awk -F': *' '/Hypervisor vendor/ { print $2 " guest" }' | grep . || echo 'no hypervisor reported')"
    echo "java:    $("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.vm.name|java.runtime.version/ { printf "%s ", $2 }')"
    echo "gcc:     $(gcc -dumpfullversion)"
    echo "JMH:     1 fork, $warmups x ${millis} ms warm-up, $iterations x ${millis} ms measured; C: 1 x ${millis} ms warm-up, $iterations x ${millis} ms measured; $rounds round(s)"
}

{
    machine
    echo "load at start: $(uptime | sed 's/.*load average/load average/')"
} | tee "$report"

for round in $(seq 1 "$rounds"); do
    for group in "${groups[@]}"; do
        read -r name class ops <<< "$group"
        echo "round $round/$rounds: $name group ($(uptime | sed 's/.*load average: //'))" >&2
        # shellcheck disable=SC2086 # ops is a word list
        if [ $((round % 2)) = 1 ]; then
            run_c "$round" $ops; run_java "$round" "$class"
        else
            run_java "$round" "$class"; run_c "$round" $ops
        fi >> "$results"
    done
done

# Rows: label, Java benchmark, peer, kind, target. Kinds: "time" = Java time / peer time (lower is better);
# "rate" = Java throughput / peer throughput (higher is better); "speedup" = peer time / Java time (higher is better).
report_rows='create + close (calibration)|CreateBenchmark.memfdCreateClose|c:create_close|time|-
create + write 4 KiB byte[] + seal + close|CreateBenchmark.memfdWriteHeapSeal|c:create_write_seal|time|<= 1.5
create + write 4 KiB direct + seal + close|CreateBenchmark.memfdWriteDirectSeal|c:create_write_seal|time|<= 1.5
F_GET_SEALS (calibration)|CreateBenchmark.memfdSeals|c:get_seals|time|-
/dev/shm temp file + write 4 KiB + delete|CreateBenchmark.tmpfsFileWriteDelete|c:tmpfs_write_delete|time|-
memfd (byte[]) vs /dev/shm temp file, Java|CreateBenchmark.memfdWriteHeapSeal|java:CreateBenchmark.tmpfsFileWriteDelete|speedup|>= 1.7
sum 64 MiB mapped, getLong|MappedReadBenchmark.mappedGetLong|c:mapped_sum|rate|>= 0.8
sum 64 MiB mapped, LongBuffer view|MappedReadBenchmark.mappedLongBuffer|c:mapped_sum|rate|>= 0.8
readAllBytes 64 MiB (new byte[], bounce)|MappedReadBenchmark.readAllBytes|c:pread_bounce|rate|-
read 64 MiB into byte[] (bounce)|MappedReadBenchmark.readIntoHeapArray|c:pread_bounce|rate|-
read 64 MiB into direct buffer|MappedReadBenchmark.readIntoDirectBuffer|c:pread_direct|rate|-'

{
    echo "load at end: $(uptime | sed 's/.*load average/load average/')"
    echo
    awk -F'\t' -v rows="$report_rows" '
    function median(list,    n, v, i, j, t) {
        n = split(list, v, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function span(list,    n, v, i, lo, hi) {
        n = split(list, v, " "); lo = hi = v[1]
        for (i = 2; i <= n; i++) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i] }
        return n > 1 ? sprintf("%.2f-%.2f", lo, hi) : "-"
    }
    # 64 MiB reads as ms and GB/s (10^9 bytes/s); everything else as microseconds.
    function show(ns, key) {
        return key ~ /mapped_sum|pread|MappedRead/ \
            ? sprintf("%.2f ms %5.2f GB/s", ns / 1e6, 67108864 / ns) : sprintf("%.2f us", ns / 1e3)
    }
    { value[$1, $2] = $3; if (!($1 in seen)) { seen[$1] = 1; roundlist = roundlist " " $1 } }
    END {
        printf "%-43s %-22s %-20s %-22s %-16s %-10s %-8s %s\n", "operation", "Java (median)", "peer", "peer (median)",
            "ratio (median)", "range", "target", "verdict"
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
            ratio = median(ratios); target = f[5]; verdict = ""
            if (target ~ /^<=/) verdict = ratio <= substr(target, 4) + 0 ? "met" : "MISSED"
            if (target ~ /^>=/) verdict = ratio >= substr(target, 4) + 0 ? "met" : "MISSED"
            label = f[4] == "time" ? "x time" : f[4] == "rate" ? "x rate" : "x faster"
            peer = f[3]; sub(/^(c|java):/, "", peer); sub(/^CreateBenchmark\./, "", peer)
            printf "%-43s %-22s %-20s %-22s %-16s %-10s %-8s %s\n", f[1], show(median(javas), f[2]), \
                (f[3] ~ /^c:/ ? "C " : "Java ") peer, show(median(peers), f[3]), sprintf("%.2f %s", ratio, label), \
                span(ratios), target, verdict
        }
    }' "$results"
    echo
    echo "ratios: 'x time' = Java time / peer time; 'x rate' = Java throughput / peer throughput;"
    echo "'x faster' = peer time / Java time. Each is computed within a round; 'range' spans the rounds."
    echo "raw: $results, JMH logs and CSVs: $out/jmh-$stamp-*"
} | tee -a "$report"
