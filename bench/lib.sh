# What bench/run.sh, bench/ipc/run.sh and bench/same-process.sh share; sourced, not run.

# The load averages (1, 5, 15 min).
load() { uptime | sed 's/.*load average: //'; }

# The machine and tools behind a report; $java is the java command the script uses.
machine_facts() {
    echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel:  $(uname -r) ($(uname -m)), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "virt:    $(lscpu 2>/dev/null | awk -F': *' '/Hypervisor vendor/ { print $2 " guest" }' | grep . || echo 'no hypervisor reported')"
    echo "java:    $("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.vm.name|java.runtime.version/ { printf "%s ", $2 }')"
    echo "gcc:     $(gcc -dumpfullversion)"
}

# awk functions for the reports: the median and the span of a space-separated list, and whether a ratio meets a
# target written "<= X", ">= X" or "LOW-HIGH" ("" for no target).
# shellcheck disable=SC2034  # used by the scripts that source this file
report_awk='
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
function verdict(ratio, target,    bounds) {
    if (target ~ /^<=/) return ratio <= substr(target, 4) + 0 ? "met" : "MISSED"
    if (target ~ /^>=/) return ratio >= substr(target, 4) + 0 ? "met" : "MISSED"
    if (target ~ /^[0-9.]+-[0-9.]+$/) {
        split(target, bounds, "-"); return ratio >= bounds[1] + 0 && ratio <= bounds[2] + 0 ? "met" : "MISSED"
    }
    return ""
}
'

# Builds the JMH jar, memfd-benchmarks/target/benchmarks.jar, with the JDK in use. clean: a memfd-core jar left by a
# build with another JDK would keep (or lack) its FFM part.
build_benchmarks() {
    ./mvnw -q -Pbench -pl memfd-benchmarks -am clean package -DskipTests
}

# Stops unless the benchmark jar ($2) gives memfd-core the native backend this java ($1) should use: on Java 22+ the
# FFM one, which a Java 22+ JVM sees only in a multi-release jar that holds it (a jar built by an older JDK lacks it).
check_backend() {
    local feature manifest entries
    feature=$("$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')
    [ "$feature" -ge 22 ] || return 0
    manifest=$(unzip -p "$2" META-INF/MANIFEST.MF)
    entries=$(unzip -l "$2")
    if ! grep -q '^Multi-Release: true' <<<"$manifest" \
            || ! grep -q 'META-INF/versions/22/io/memfd/internal/FfmCalls.class' <<<"$entries"; then
        echo "$2 lacks memfd-core's FFM backend, so Java $feature would run the library on JNA: rebuild it with" \
            "this JDK (without --no-build)" >&2
        exit 1
    fi
}
