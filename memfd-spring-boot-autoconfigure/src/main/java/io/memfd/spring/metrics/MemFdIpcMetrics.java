package io.memfd.spring.metrics;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.memfd.ipc.MemFdServerListener;
import io.memfd.ipc.PeerCredentials;
import io.memfd.ipc.RejectReason;

/**
 * Counts what the memfd IPC server received, as the counter {@code memfd.ipc.received} (messages) tagged
 * {@code outcome=accepted} with {@code reason=none}, or {@code outcome=rejected} with {@code reason} one of the
 * {@link RejectReason} names (e.g. {@code MISSING_SEALS}): a small fixed set, never a per-peer value. Connections the
 * server refused (wrong user, too many connections) count as rejected messages with their reason. Every combination is
 * registered at once, so that a rate starts from zero rather than from a missing series.
 */
public class MemFdIpcMetrics implements MemFdServerListener, MeterBinder {

    /** The counter's name. */
    public static final String RECEIVED = "memfd.ipc.received";

    /** The counters of each registry this was bound to; usually one. */
    private final List<Counters> bound = new CopyOnWriteArrayList<>();

    @Override
    public void bindTo(MeterRegistry registry) {
        Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, counter(registry, "rejected", reason.name()));
        }
        this.bound.add(new Counters(counter(registry, "accepted", "none"), rejected));
    }

    @Override
    public void accepted(PeerCredentials peer, long bufferSize) {
        for (Counters counters : this.bound) {
            counters.accepted.increment();
        }
    }

    @Override
    public void rejected(PeerCredentials peer, RejectReason reason, String detail) {
        for (Counters counters : this.bound) {
            counters.rejected.get(reason).increment();
        }
    }

    private static Counter counter(MeterRegistry registry, String outcome, String reason) {
        return Counter.builder(RECEIVED)
            .tag("outcome", outcome)
            .tag("reason", reason)
            .description("Messages the memfd IPC server received, and connections it refused, by outcome")
            .baseUnit(BaseUnits.MESSAGES)
            .register(registry);
    }

    private record Counters(Counter accepted, Map<RejectReason, Counter> rejected) {
    }
}
