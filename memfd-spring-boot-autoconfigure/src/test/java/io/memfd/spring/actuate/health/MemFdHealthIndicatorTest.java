package io.memfd.spring.actuate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import io.memfd.HugePageSize;
import io.memfd.KernelFeatures;
import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.testing.Seccomp;

/** UP, WARNING and DOWN against real buffers, a real budget and a kernel that really refuses memfd_create. */
class MemFdHealthIndicatorTest {

    private static final KernelFeatures FEATURES = KernelFeatures.detect();
    private static final int EMFILE = 24;

    @Test
    void upWithTheLiveBuffersAndTheKernelFeatures() {
        try (MemFdFactory factory = MemFdFactory.builder().maxSize(4096).build();
                MemFd first = factory.createSealed("first", new byte[100]);
                MemFd second = factory.createSealed("second", new byte[20])) {
            Health health = new MemFdHealthIndicator(factory, FEATURES, 0.9).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("count", 2).containsEntry("usedBytes", 120L)
                    .containsEntry("leaked", 0L).containsEntry("maxSize", 4096L)
                    .doesNotContainKeys("maxTotalSize", "budgetUsage", "warningThreshold", "error");
            assertThat(health.getDetails().get("kernel")).isEqualTo(Map.of(
                    "noexecSeal", FEATURES.noexecSeal(),
                    "futureWriteSeal", FEATURES.futureWriteSeal(),
                    "hugePageSizes", FEATURES.hugePageSizes().stream().map(HugePageSize::toString).toList()));
        }
    }

    @Test
    void warningFromTheThresholdDownWhenTheBudgetIsExhaustedUpAgainWhenFreed() {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(1000).build();
                MemFd buffer = factory.create("budgeted")) {
            MemFdHealthIndicator indicator = new MemFdHealthIndicator(factory, FEATURES, 0.9);

            buffer.resize(899);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

            buffer.resize(900);
            Health warning = indicator.health();
            assertThat(warning.getStatus()).isEqualTo(MemFdHealthIndicator.WARNING);
            assertThat(warning.getDetails()).containsEntry("usedBytes", 900L).containsEntry("maxTotalSize", 1000L)
                    .containsEntry("budgetUsage", 0.9).containsEntry("warningThreshold", 0.9);

            buffer.resize(1000);
            Health exhausted = indicator.health();
            assertThat(exhausted.getStatus()).isEqualTo(Status.DOWN);
            assertThat(exhausted.getDetails()).containsEntry("budgetUsage", 1.0);

            buffer.resize(10);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        }
    }

    @Test
    void downWithTheReasonWhenTheKernelRefusesNewMemfds() throws Exception {
        assumeTrue(Seccomp.isSupported(), "seccomp filters are installed here only on x86_64 and aarch64 Linux");
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFd live = factory.createSealed("still-alive", new byte[7])) {
            MemFdHealthIndicator indicator = new MemFdHealthIndicator(factory, FEATURES, 0.9);

            Health refused = onThreadWhereMemfdCreateFails(indicator);

            assertThat(refused.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) refused.getDetails().get("error")).contains("health-probe")
                    .contains("this process's limit on open files was reached");
            assertThat(refused.getDetails()).containsEntry("count", 1).containsEntry("usedBytes", 7L);
            // Only that thread is refused: the same check elsewhere is healthy.
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        }
    }

    @Test
    void theProbeLeavesNoTraceInTheRegistry() {
        try (MemFdFactory factory = MemFdFactory.builder().build()) {
            new MemFdHealthIndicator(factory, FEATURES, 0.9).health();

            assertThat(factory.registry().createdCount()).isZero();
            assertThat(factory.registry().buffers()).isEqualTo(List.of());
        }
    }

    /** A seccomp filter is permanent for its thread, so the check runs on a thread of its own that then ends. */
    private static Health onThreadWhereMemfdCreateFails(MemFdHealthIndicator indicator) throws InterruptedException {
        AtomicReference<Health> health = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            Seccomp.failMemfdCreate(0, EMFILE);
            health.set(indicator.health());
        });
        thread.start();
        thread.join();
        return health.get();
    }
}
