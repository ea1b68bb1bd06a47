package io.memfd.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

import io.memfd.spring.autoconfigure.ipc.MemFdIpcServerAutoConfiguration;
import io.memfd.spring.ipc.MemFdServerLifecycle;
import io.memfd.spring.metrics.MemFdIpcMetrics;

/**
 * Registers {@link MemFdIpcMetrics} when the memfd IPC server runs and Micrometer and a {@link MeterRegistry} are
 * present. The server tells it of every message, as it tells every {@code MemFdServerListener} bean; Spring Boot binds
 * it to every registry.
 */
@AutoConfiguration(after = { MemFdIpcServerAutoConfiguration.class, MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, MemFdServerLifecycle.class })
public final class MemFdIpcMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MemFdIpcMetrics memFdIpcMetrics() {
        return new MemFdIpcMetrics();
    }
}
