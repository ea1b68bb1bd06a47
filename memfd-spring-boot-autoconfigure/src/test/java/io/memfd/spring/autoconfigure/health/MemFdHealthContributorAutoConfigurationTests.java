package io.memfd.spring.autoconfigure.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
import io.memfd.spring.health.MemFdHealthIndicator;
import io.memfd.spring.autoconfigure.TwoFactories;
import io.memfd.spring.metrics.MemFdMetrics;
import io.memfd.spring.autoconfigure.metrics.MemFdMetricsAutoConfiguration;

/** When the memfd health component appears, with which libraries, beans and properties; and that a user bean wins. */
class MemFdHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class,
                    MemFdHealthContributorAutoConfiguration.class));

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
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                MemFdMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
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
    void theStarterAloneWorksWithoutAnyActuatorLibrary() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
                "org.springframework.boot.health", "org.springframework.boot.micrometer"))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MemFdFactory.class)
                        .doesNotHaveBean(MemFdHealthIndicator.class));
    }

    @Test
    void nothingWithoutAMemFdFactory() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MemFdHealthContributorAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdHealthIndicator.class));
    }

    @Test
    void twoFactoriesWithoutAPrimaryOneBackOffInsteadOfFailing() {
        runner.withUserConfiguration(TwoFactories.class)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdHealthIndicator.class));
    }

    @Test
    void aUserBeanWins() {
        runner.withUserConfiguration(UserBeans.class).run(context -> assertThat(context.getBean("memfdHealthIndicator"))
                .isSameAs(context.getBean(UserBeans.class).health));
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
    static class UserBeans {

        final MemFdFactory factory = MemFdFactory.builder().build();
        final MemFdHealthIndicator health = new MemFdHealthIndicator(factory, KernelFeatures.detect(), 0.5);

        @Bean(destroyMethod = "close")
        MemFdFactory userFactory() {
            return factory;
        }

        @Bean
        MemFdHealthIndicator memfdHealthIndicator() {
            return health;
        }
    }
}
