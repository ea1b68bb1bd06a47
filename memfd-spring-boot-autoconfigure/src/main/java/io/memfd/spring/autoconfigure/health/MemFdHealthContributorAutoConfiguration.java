package io.memfd.spring.autoconfigure.health;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.memfd.KernelFeatures;
import io.memfd.MemFdFactory;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.health.MemFdHealthIndicator;

/**
 * Registers the {@code memfd} health component ({@link MemFdHealthIndicator}) when Spring Boot's health support is
 * present; {@code management.health.memfd.enabled=false} switches it off.
 */
@AutoConfiguration(after = MemFdAutoConfiguration.class, before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnSingleCandidate(MemFdFactory.class)
@EnableConfigurationProperties(MemFdHealthIndicatorProperties.class)
public final class MemFdHealthContributorAutoConfiguration {

    /**
     * Named so that the component is {@code memfd}: Boot drops the {@code HealthIndicator} suffix. The condition from
     * Boot's health module goes on the method, read only once that module is known to be present.
     */
    @Bean
    @ConditionalOnMissingBean(name = "memfdHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("memfd")
    MemFdHealthIndicator memfdHealthIndicator(MemFdFactory memFdFactory, MemFdHealthIndicatorProperties properties,
            ObjectProvider<KernelFeatures> kernelFeatures) {
        // The starter's probe from start-up where there is one; a factory the user made alone needs its own.
        return new MemFdHealthIndicator(memFdFactory, kernelFeatures.getIfAvailable(KernelFeatures::detect),
                properties.getWarningThreshold());
    }
}
