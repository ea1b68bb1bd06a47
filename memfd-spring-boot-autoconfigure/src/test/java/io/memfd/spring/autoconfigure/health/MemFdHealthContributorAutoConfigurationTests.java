package io.memfd.spring.autoconfigure.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.memfd.KernelFeatures;
import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.actuate.endpoint.MemFdEndpoint;
import io.memfd.spring.autoconfigure.actuate.endpoint.MemFdEndpointAutoConfiguration;
import io.memfd.spring.health.MemFdHealthIndicator;
import io.memfd.spring.metrics.MemFdMetrics;
import io.memfd.spring.autoconfigure.metrics.MemFdMetricsAutoConfiguration;

/** Which Actuator parts appear, with which libraries, beans and properties; and that user beans win. */
class MemFdHealthContributorAutoConfigurationTests {

    private static final String EXPOSE = "management.endpoints.web.exposure.include=memfd";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class,
                    MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class, MemFdMetricsAutoConfiguration.class,
                    MemFdHealthContributorAutoConfiguration.class, MemFdEndpointAutoConfiguration.class));

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
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
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
    void healthIndicatorIsTheMemfdComponent() {
        runner.run(context -> {
            assertThat(context).hasBean("memfdHealthIndicator");
            assertThat(context.getBean(HealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void healthIndicatorCanBeSwitchedOff() {
        runner.withPropertyValues("management.health.memfd.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(MemFdHealthIndicator.class));
        runner.withPropertyValues("management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(MemFdHealthIndicator.class));
        runner.withPropertyValues("management.health.defaults.enabled=false", "management.health.memfd.enabled=true")
                .run(context -> assertThat(context).hasSingleBean(MemFdHealthIndicator.class));
    }

    @Test
    void noHealthIndicatorWithoutBootHealth() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdHealthIndicator.class)
                        .hasSingleBean(MemFdMetrics.class));
    }

    @Test
    void warningThresholdIsBound() {
        runner.withUserConfiguration(BudgetedFactory.class)
                .withPropertyValues("management.health.memfd.warning-threshold=0.5").run(context -> {
                    HealthIndicator indicator = context.getBean(HealthIndicator.class);
                    try (MemFd memfd = context.getBean(MemFdFactory.class).createSealed("half", new byte[500])) {
                        assertThat(indicator.health().getStatus()).isEqualTo(MemFdHealthIndicator.WARNING);
                    }
                    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                });
    }

    @Test
    void aWarningThresholdOutsideZeroToOneFailsNamingTheProperty() {
        runner.withPropertyValues("management.health.memfd.warning-threshold=90").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("'warningThreshold' must be between 0 and 1, not 90"));
        runner.withPropertyValues("management.health.memfd.warning-threshold=90").run(context -> assertThat(context)
                .getFailure().hasStackTraceContaining("management.health.memfd"));
    }

    @Test
    void endpointOnlyWhenExposed() {
        runner.run(context -> assertThat(context).doesNotHaveBean(MemFdEndpoint.class));
        runner.withPropertyValues(EXPOSE).run(context -> assertThat(context).hasSingleBean(MemFdEndpoint.class));
        // Every operation reads, so read-only access keeps all of it; no access removes it.
        runner.withPropertyValues(EXPOSE, "management.endpoint.memfd.access=READ_ONLY")
                .run(context -> assertThat(context).hasSingleBean(MemFdEndpoint.class));
        runner.withPropertyValues(EXPOSE, "management.endpoint.memfd.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(MemFdEndpoint.class));
    }

    @Test
    void noEndpointWithoutActuator() {
        runner.withClassLoader(new FilteredClassLoader(Endpoint.class)).withPropertyValues(EXPOSE)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdEndpoint.class));
    }

    @Test
    void theStarterAloneWorksWithoutAnyActuatorLibrary() {
        // Boot's own metrics auto-configurations would not be on such a class path either.
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class,
                        MemFdMetricsAutoConfiguration.class, MemFdHealthContributorAutoConfiguration.class,
                        MemFdEndpointAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
                "org.springframework.boot.health", "org.springframework.boot.micrometer")).withPropertyValues(EXPOSE)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MemFdFactory.class)
                        .doesNotHaveBean(MemFdMetrics.class).doesNotHaveBean(MemFdHealthIndicator.class)
                        .doesNotHaveBean(MemFdEndpoint.class));
    }

    @Test
    void nothingWithoutAMemFdFactory() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                        MemFdMetricsAutoConfiguration.class, MemFdHealthContributorAutoConfiguration.class,
                        MemFdEndpointAutoConfiguration.class))
                .withPropertyValues(EXPOSE)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdMetrics.class)
                        .doesNotHaveBean(MemFdHealthIndicator.class).doesNotHaveBean(MemFdEndpoint.class));
    }

    @Test
    void twoFactoriesWithoutAPrimaryOneBackOffInsteadOfFailing() {
        runner.withUserConfiguration(TwoFactories.class).withPropertyValues(EXPOSE)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdMetrics.class)
                        .doesNotHaveBean(MemFdHealthIndicator.class).doesNotHaveBean(MemFdEndpoint.class));
    }

    @Test
    void userBeansWin() {
        runner.withUserConfiguration(UserBeans.class).withPropertyValues(EXPOSE).run(context -> {
            assertThat(context.getBean(MemFdMetrics.class)).isSameAs(context.getBean(UserBeans.class).metrics);
            assertThat(context.getBean("memfdHealthIndicator")).isSameAs(context.getBean(UserBeans.class).health);
            assertThat(context.getBean(MemFdEndpoint.class)).isSameAs(context.getBean(UserBeans.class).endpoint);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class BudgetedFactory {

        @Bean(destroyMethod = "close")
        MemFdFactory budgetedFactory() {
            // Two buffers of one page and a file each.
            return MemFdFactory.builder().maxTotalSize(2 * (4096 + 1024)).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoFactories {

        @Bean(destroyMethod = "close")
        MemFdFactory firstFactory() {
            return MemFdFactory.builder().build();
        }

        @Bean(destroyMethod = "close")
        MemFdFactory secondFactory() {
            return MemFdFactory.builder().build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {

        final MemFdFactory factory = MemFdFactory.builder().build();
        final MemFdMetrics metrics = new MemFdMetrics(factory.registry());
        final MemFdHealthIndicator health = new MemFdHealthIndicator(factory, KernelFeatures.detect(), 0.5);
        final MemFdEndpoint endpoint = new MemFdEndpoint(factory.registry());

        @Bean(destroyMethod = "close")
        MemFdFactory userFactory() {
            return factory;
        }

        @Bean
        MemFdMetrics userMetrics() {
            return metrics;
        }

        @Bean
        MemFdHealthIndicator memfdHealthIndicator() {
            return health;
        }

        @Bean
        MemFdEndpoint userEndpoint() {
            return endpoint;
        }
    }
}
