package io.memfd.spring.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.TwoFactories;
import io.memfd.spring.autoconfigure.health.MemFdHealthContributorAutoConfiguration;
import io.memfd.spring.health.MemFdHealthIndicator;
import io.memfd.spring.metrics.MemFdMetrics;

/** When the memfd meters appear, with which libraries and beans; and that a user bean wins. */
class MemFdMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class,
                    MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class, MemFdMetricsAutoConfiguration.class));

    @Test
    void metricsAreBoundToTheMeterRegistry() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(MemFdMetrics.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            try (MemFd memfd = context.getBean(MemFdFactory.class).createSealed("counted", new byte[42])) {
                assertThat(meters.get("memfd.buffer.count").tag("state", "sealed").gauge().value()).isEqualTo(1);
                // One page and about 1 KiB for its file.
                assertThat(meters.get("memfd.buffer.memory.used").tag("state", "sealed").gauge().value())
                        .isEqualTo(4096 + 1024);
            }
        });
    }

    @Test
    void noMetricsWithoutMicrometer() {
        runner.withConfiguration(AutoConfigurations.of(MemFdHealthContributorAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdMetrics.class)
                        .hasSingleBean(MemFdHealthIndicator.class));
    }

    @Test
    void noMetricsWithoutAMeterRegistry() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class,
                        MemFdMetricsAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MemFdFactory.class)
                        .doesNotHaveBean(MemFdMetrics.class));
    }

    @Test
    void theStarterAloneWorksWithoutAnyActuatorLibrary() {
        // Boot's own metrics auto-configurations would not be on such a class path either.
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class,
                        MemFdMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
                        "org.springframework.boot.health", "org.springframework.boot.micrometer"))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MemFdFactory.class)
                        .doesNotHaveBean(MemFdMetrics.class));
    }

    @Test
    void nothingWithoutAMemFdFactory() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                        MemFdMetricsAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdMetrics.class));
    }

    @Test
    void twoFactoriesWithoutAPrimaryOneBackOffInsteadOfFailing() {
        runner.withUserConfiguration(TwoFactories.class)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdMetrics.class));
    }

    @Test
    void aUserBeanWins() {
        runner.withUserConfiguration(UserBeans.class).run(context -> assertThat(context.getBean(MemFdMetrics.class))
                .isSameAs(context.getBean(UserBeans.class).metrics));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {

        final MemFdFactory factory = MemFdFactory.builder().build();
        final MemFdMetrics metrics = new MemFdMetrics(factory.registry());

        @Bean(destroyMethod = "close")
        MemFdFactory userFactory() {
            return factory;
        }

        @Bean
        MemFdMetrics userMetrics() {
            return metrics;
        }
    }
}
