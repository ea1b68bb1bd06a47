package io.memfd.spring.autoconfigure.metrics;

import java.nio.file.Path;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.memfd.ipc.MemFdHandler;
import io.memfd.ipc.RejectReason;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.ipc.MemFdIpcServerAutoConfiguration;
import io.memfd.spring.ipc.MemFdServerLifecycle;
import io.memfd.spring.metrics.MemFdIpcMetrics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the IPC counter exists: only for a running server, with Micrometer and a registry. (Its values after real
 * sends are checked end to end, in {@code MemFdIpcEndToEndTests}.)
 */
class MemFdIpcMetricsAutoConfigurationTests {

    @TempDir
    Path directory;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class, MemFdIpcServerAutoConfiguration.class,
                MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class, MemFdIpcMetricsAutoConfiguration.class))
        .withBean(MemFdHandler.class, () -> (request) -> null);

    @Test
    void everyOutcomeIsRegisteredAtZeroWhenTheServerRuns() {
        serving().run((context) -> {
            assertThat(context).hasSingleBean(MemFdIpcMetrics.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get(MemFdIpcMetrics.RECEIVED).counters()).hasSize(RejectReason.values().length + 1)
                .allSatisfy((counter) -> assertThat(counter.count()).isZero());
            assertThat(meters.get(MemFdIpcMetrics.RECEIVED).tag("outcome", "accepted").counter().getId()
                .getTag("reason")).isEqualTo("none");
            assertThat(meters.get(MemFdIpcMetrics.RECEIVED).tag("reason", "OVER_BUDGET").counter().getId()
                .getTag("outcome")).isEqualTo("rejected");
            assertThat(meters.get(MemFdIpcMetrics.RECEIVED).counter().getId().getDescription()).isNotBlank();
        });
    }

    @Test
    void noCounterWithoutAServer() {
        this.runner.run((context) -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(MemFdServerLifecycle.class)
            .doesNotHaveBean(MemFdIpcMetrics.class));
    }

    @Test
    void noCounterWithoutMicrometerAndTheServerStillRuns() {
        serving().withClassLoader(new FilteredClassLoader("io.micrometer.core"))
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(MemFdIpcMetrics.class)
                .getBean(MemFdServerLifecycle.class)
                .satisfies((server) -> assertThat(server.isRunning()).isTrue()));
    }

    @Test
    void noCounterWithoutAMeterRegistry() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class,
                    MemFdIpcServerAutoConfiguration.class, MemFdIpcMetricsAutoConfiguration.class))
            .withBean(MemFdHandler.class, () -> (request) -> null)
            .withPropertyValues("memfd.ipc.server.enabled=true",
                    "memfd.ipc.server.path=" + this.directory.resolve("no-registry.sock"))
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(MemFdServerLifecycle.class)
                .doesNotHaveBean(MemFdIpcMetrics.class));
    }

    @Test
    void aUserBeanWins() {
        MemFdIpcMetrics own = new MemFdIpcMetrics();
        serving().withBean(MemFdIpcMetrics.class, () -> own)
            .run((context) -> assertThat(context).getBean(MemFdIpcMetrics.class).isSameAs(own));
    }

    private ApplicationContextRunner serving() {
        return this.runner.withPropertyValues("memfd.ipc.server.enabled=true",
                "memfd.ipc.server.path=" + this.directory.resolve("metrics.sock"));
    }
}
