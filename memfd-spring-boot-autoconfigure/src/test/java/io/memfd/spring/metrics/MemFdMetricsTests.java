package io.memfd.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.memfd.LeakDetection;
import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.MemFdRegistry;
import io.memfd.testing.Gc;

/** Every meter's value after each step of real buffers' lives: created, sealed, closed, leaked. */
class MemFdMetricsTests {

    private static final long BUDGET = 1 << 20;

    /** What the budget charges for a buffer of up to one page: the page and about 1 KiB for its file. */
    private static final long ONE_PAGE = 4096 + 1024;

    private final MeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void metersFollowCreateSealCloseAndLeak() throws Exception {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(BUDGET)
                .leakDetection(LeakDetection.NONE).build()) {
            MemFdRegistry registry = factory.registry();
            new MemFdMetrics(registry).bindTo(meters);
            assertMeters(registry, 0, 0, 0, 0, 0, 0, 0);

            // Each buffer here is charged one page and its file.
            MemFd open = factory.create("open");
            open.write(0, new byte[100]);
            assertMeters(registry, 0, 0, 1, ONE_PAGE, 1, 0, 0);

            MemFd sealed = factory.createSealed("sealed", new byte[50]);
            assertMeters(registry, 1, ONE_PAGE, 1, ONE_PAGE, 2, 0, 0);

            factory.seal(open);
            assertMeters(registry, 2, 2 * ONE_PAGE, 0, 0, 2, 0, 0);

            sealed.close();
            assertMeters(registry, 1, ONE_PAGE, 0, 0, 2, 1, 0);

            createAndDrop(factory, "dropped", 30);
            assertMeters(registry, 1, ONE_PAGE, 1, ONE_PAGE, 3, 1, 0);

            Gc.awaitCollection(() -> registry.leakedCount() == 1);
            assertMeters(registry, 1, ONE_PAGE, 0, 0, 3, 1, 1);

            open.close();
            assertMeters(registry, 0, 0, 0, 0, 3, 2, 1);
        }
    }

    @Test
    void everyMeterHasADescriptionAndABaseUnit() {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(BUDGET).build()) {
            new MemFdMetrics(factory.registry()).bindTo(meters);

            Map<String, String> units = Map.of("memfd.buffer.count", "buffers", "memfd.buffer.memory.used", "bytes",
                    "memfd.buffer.memory.limit", "bytes", "memfd.buffer.count.limit", "buffers",
                    "memfd.buffer.created", "buffers", "memfd.buffer.released", "buffers", "memfd.buffer.leaked",
                    "buffers");
            assertThat(meters.getMeters()).extracting(meter -> meter.getId().getName()).containsOnlyElementsOf(
                    units.keySet()).containsAll(units.keySet()).hasSize(9);
            for (Meter meter : meters.getMeters()) {
                assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
                assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName())
                        .isEqualTo(units.get(meter.getId().getName()));
            }
        }
    }

    @Test
    void theLimitIsRegisteredOnlyWithABudget() {
        try (MemFdFactory factory = MemFdFactory.builder().maxCount(Integer.MAX_VALUE).build()) {
            new MemFdMetrics(factory.registry()).bindTo(meters);

            assertThat(meters.find("memfd.buffer.memory.limit").meter()).isNull();
            assertThat(meters.find("memfd.buffer.count.limit").meter()).isNull();
            assertThat(meters.find("memfd.buffer.count").gauges()).hasSize(2);
        }
    }

    /** Not inlined, so that no local variable keeps the memfd reachable. */
    private static void createAndDrop(MemFdFactory factory, String name, int size) {
        factory.create(name).write(0, new byte[size]);
    }

    private void assertMeters(MemFdRegistry registry, int sealedCount, long sealedBytes, int unsealedCount,
            long unsealedBytes, long created, long released, long leaked) {
        assertThat(gauge("memfd.buffer.count", "sealed")).as("sealed count").isEqualTo(sealedCount);
        assertThat(gauge("memfd.buffer.count", "unsealed")).as("unsealed count").isEqualTo(unsealedCount);
        assertThat(gauge("memfd.buffer.memory.used", "sealed")).as("sealed bytes").isEqualTo(sealedBytes);
        assertThat(gauge("memfd.buffer.memory.used", "unsealed")).as("unsealed bytes").isEqualTo(unsealedBytes);
        // The tags split the totals: summed, they are the registry's count and the bytes its budget counts.
        assertThat(sum("memfd.buffer.count")).isEqualTo(registry.count());
        assertThat(sum("memfd.buffer.memory.used")).isEqualTo(registry.usedBytes());
        assertThat(meters.get("memfd.buffer.memory.limit").gauge().value()).isEqualTo(BUDGET);
        assertThat(meters.get("memfd.buffer.created").functionCounter().count()).as("created").isEqualTo(created);
        assertThat(meters.get("memfd.buffer.released").functionCounter().count()).as("released").isEqualTo(released);
        assertThat(meters.get("memfd.buffer.leaked").functionCounter().count()).as("leaked").isEqualTo(leaked);
    }

    private double sum(String name) {
        return meters.get(name).gauges().stream().mapToDouble(Gauge::value).sum();
    }

    private double gauge(String name, String state) {
        return meters.get(name).tag("state", state).gauge().value();
    }
}
