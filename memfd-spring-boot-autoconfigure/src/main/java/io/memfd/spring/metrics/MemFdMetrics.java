package io.memfd.spring.metrics;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.memfd.MemFdRegistry;

/**
 * Meters for the live memfds of one {@link MemFdRegistry}, after Micrometer's JVM buffer pool meters
 * ({@code jvm.buffer.count}, {@code jvm.buffer.memory.used}):
 * <ul>
 * <li>{@code memfd.buffer.count} (buffers) and {@code memfd.buffer.memory.used} (bytes, as counted against the
 * budget: what the kernel holds, whole pages and each buffer's file) are gauges tagged {@code state=sealed|unsealed};
 * the two values of a meter add up to the total. A buffer is sealed once it carries a seal other than {@code EXEC},
 * and never becomes unsealed again.
 * <li>{@code memfd.buffer.memory.limit} (bytes) is the total budget and {@code memfd.buffer.count.limit} (buffers) the
 * maximum count, each registered only when set.
 * <li>{@code memfd.buffer.created}, {@code memfd.buffer.released} and {@code memfd.buffer.leaked} (buffers) are
 * counters: buffers created or adopted, closed by the application, and closed by the garbage collector because the
 * application dropped them without closing them. They carry no state tag, as a buffer's state changes during its
 * life. Live = created - released - leaked.
 * </ul>
 */
public class MemFdMetrics implements MeterBinder {

    private static final String STATE = "state";

    private final MemFdRegistry registry;

    public MemFdMetrics(MemFdRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        bindByState(meterRegistry, "sealed", MemFdRegistry.Usage::sealedCount, MemFdRegistry.Usage::sealedBytes);
        bindByState(meterRegistry, "unsealed", MemFdRegistry.Usage::unsealedCount,
                MemFdRegistry.Usage::unsealedBytes);
        registry.maxTotalSize().ifPresent(limit -> Gauge.builder("memfd.buffer.memory.limit", () -> limit)
                .description("The most bytes all live memfd buffers may hold together")
                .baseUnit(BaseUnits.BYTES)
                .register(meterRegistry));
        registry.maxCount().ifPresent(limit -> Gauge.builder("memfd.buffer.count.limit", () -> limit)
                .description("The most memfd buffers that may be live at once")
                .baseUnit(BaseUnits.BUFFERS)
                .register(meterRegistry));
        counter(meterRegistry, "memfd.buffer.created", MemFdRegistry::createdCount,
                "memfd buffers created or adopted");
        counter(meterRegistry, "memfd.buffer.released", MemFdRegistry::releasedCount,
                "memfd buffers closed by the application");
        counter(meterRegistry, "memfd.buffer.leaked", MemFdRegistry::leakedCount,
                "memfd buffers dropped without close() and closed by the garbage collector");
    }

    private void bindByState(MeterRegistry meterRegistry, String state, ToDoubleFunction<MemFdRegistry.Usage> count,
            ToDoubleFunction<MemFdRegistry.Usage> bytes) {
        Gauge.builder("memfd.buffer.count", registry, live -> count.applyAsDouble(live.usage()))
                .tag(STATE, state)
                .description("The number of live memfd buffers")
                .baseUnit(BaseUnits.BUFFERS)
                .register(meterRegistry);
        Gauge.builder("memfd.buffer.memory.used", registry, live -> bytes.applyAsDouble(live.usage()))
                .tag(STATE, state)
                .description("The bytes the kernel holds for live memfd buffers: whole pages and their files")
                .baseUnit(BaseUnits.BYTES)
                .register(meterRegistry);
    }

    private void counter(MeterRegistry meterRegistry, String name, ToDoubleFunction<MemFdRegistry> total,
            String description) {
        FunctionCounter.builder(name, registry, total)
                .description(description)
                .baseUnit(BaseUnits.BUFFERS)
                .register(meterRegistry);
    }
}
