package io.memfd.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

import io.memfd.MemFdFactory;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.metrics.MemFdMetrics;

/**
 * Registers {@link MemFdMetrics} for the application's {@link MemFdFactory} when Micrometer and a
 * {@link MeterRegistry} are present; Spring Boot binds it to every registry.
 */
@AutoConfiguration(after = { MemFdAutoConfiguration.class, MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnSingleCandidate(MemFdFactory.class)
public final class MemFdMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MemFdMetrics memFdMetrics(MemFdFactory memFdFactory) {
        return new MemFdMetrics(memFdFactory.registry());
    }
}
