package io.memfd.spring.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.memfd.CountLimitExceededException;
import io.memfd.HugePageSize;
import io.memfd.KernelFeatures;
import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.testing.Seccomp;

/** UP, WARNING and DOWN against real buffers, a real budget and a kernel that really refuses memfd_create. */
@ExtendWith(OutputCaptureExtension.class)
class MemFdHealthIndicatorTests {

    private static final KernelFeatures FEATURES = KernelFeatures.detect();
    private static final int EMFILE = 24;
    /** What the budget charges for a buffer of up to one page: the page and about 1 KiB for its file. */
    private static final long ONE_PAGE = 4096 + 1024;

    @Test
    void upWithTheLiveBuffersAndTheKernelFeatures() {
        try (MemFdFactory factory = MemFdFactory.builder().maxSize(4096).maxCount(100).build();
                MemFd first = factory.createSealed("first", new byte[100]);
                MemFd second = factory.createSealed("second", new byte[20])) {
            Health health = new MemFdHealthIndicator(factory, FEATURES, 0.9).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("count", 2).containsEntry("usedBytes", 2 * ONE_PAGE)
                    .containsEntry("leaked", 0L).containsEntry("maxSize", 4096L).containsEntry("maxCount", 100)
                    .containsEntry("countUsage", 0.02).doesNotContainKeys("maxTotalSize", "budgetUsage", "error");
            assertThat(health.getDetails().get("kernel")).isEqualTo(Map.of(
                    "noexecSeal", FEATURES.noexecSeal(),
                    "futureWriteSeal", FEATURES.futureWriteSeal(),
                    "hugePageSizes", FEATURES.hugePageSizes().stream().map(HugePageSize::toString).toList(),
                    "nativeBackend", FEATURES.nativeBackend(),
                    "nativeBackendReason", FEATURES.nativeBackendReason()));
        }
    }

    @Test
    void theKernelDetailsNameTheNativeBackendThisProcessUsesAndWhy() {
        int java = Runtime.version().feature();
        boolean forcedJna = "jna".equals(System.getProperty("io.memfd.native"));
        try (MemFdFactory factory = MemFdFactory.builder().build()) {
            Health health = new MemFdHealthIndicator(factory, KernelFeatures.detect(), 0.9).health();

            assertThat(health.getDetails().get("kernel")).asInstanceOf(InstanceOfAssertFactories.MAP)
                    .containsEntry("nativeBackend", java >= 22 && !forcedJna ? "ffm" : "jna")
                    .containsEntry("nativeBackendReason", forcedJna ? "forced by -Dio.memfd.native=jna"
                            : java >= 22 ? "Java " + java
                            : "Java " + java + " has no Foreign Function & Memory API (it needs Java 22+)");
        }
    }

    @Test
    void warningFromTheThresholdToAnExhaustedBudgetUpAgainWhenFreed() {
        // Two buffers of one page each fill this budget.
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(2 * ONE_PAGE).build();
                MemFd buffer = factory.create("budgeted")) {
            MemFdHealthIndicator indicator = new MemFdHealthIndicator(factory, FEATURES, 0.9);

            buffer.resize(4096);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

            buffer.resize(8192);
            Health warning = indicator.health();
            assertThat(warning.getStatus()).isEqualTo(MemFdHealthIndicator.WARNING);
            assertThat(warning.getDetails()).containsEntry("usedBytes", 9216L)
                    .containsEntry("maxTotalSize", 2 * ONE_PAGE).containsEntry("budgetUsage", 0.9)
                    .containsEntry("warningThreshold", 0.9);

            buffer.resize(4096);
            try (MemFd second = factory.createSealed("second", new byte[1])) {
                Health exhausted = indicator.health();
                assertThat(exhausted.getStatus()).isEqualTo(MemFdHealthIndicator.WARNING);
                assertThat(exhausted.getDetails()).containsEntry("budgetUsage", 1.0);
            }

            buffer.resize(10);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        }
    }

    @Test
    void warningFromTheThresholdToTheMaximumCount() {
        try (MemFdFactory factory = MemFdFactory.builder().maxCount(10).build()) {
            MemFdHealthIndicator indicator = new MemFdHealthIndicator(factory, FEATURES, 0.9);
            List<MemFd> buffers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                buffers.add(factory.create("buffer-" + i));
            }
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

            buffers.add(factory.create("ninth"));
            Health warning = indicator.health();
            assertThat(warning.getStatus()).isEqualTo(MemFdHealthIndicator.WARNING);
            assertThat(warning.getDetails()).containsEntry("count", 9).containsEntry("maxCount", 10)
                    .containsEntry("countUsage", 0.9);

            buffers.add(factory.create("tenth"));
            assertThat(indicator.health().getStatus()).isEqualTo(MemFdHealthIndicator.WARNING);
            assertThatExceptionOfType(CountLimitExceededException.class).isThrownBy(() -> factory.create("eleventh"));

            buffers.forEach(MemFd::close);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        }
    }

    /**
     * Out of descriptors is a passing state clients can bring about, and probes come every few seconds: DOWN with the
     * reason, but without the warning and stack trace Spring Boot logs for a check that throws.
     */
    @Test
    void downWithTheReasonWhenTheKernelRefusesNewMemfds(CapturedOutput output) throws Exception {
        assumeTrue(Seccomp.isSupported(), "seccomp filters are installed here only on x86_64 and aarch64 Linux");
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFd live = factory.createSealed("still-alive", new byte[7])) {
            MemFdHealthIndicator indicator = new MemFdHealthIndicator(factory, FEATURES, 0.9);

            Health refused = onThreadWhereMemfdCreateFails(indicator);

            assertThat(refused.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) refused.getDetails().get("error")).contains("health-probe")
                    .contains("this process's limit on open files was reached");
            assertThat(refused.getDetails()).containsEntry("count", 1).containsEntry("usedBytes", ONE_PAGE);
            // Only that thread is refused: the same check elsewhere is healthy.
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            assertThat(output).doesNotContain("memfd health check failed").doesNotContain("OutOfDescriptorsException");
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
