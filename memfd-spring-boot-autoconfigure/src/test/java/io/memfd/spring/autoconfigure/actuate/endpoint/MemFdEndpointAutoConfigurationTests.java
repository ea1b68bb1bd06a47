package io.memfd.spring.autoconfigure.actuate.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.memfd.MemFdFactory;
import io.memfd.spring.actuate.endpoint.MemFdEndpoint;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.TwoFactories;

/** When the memfd endpoint appears, with which libraries, beans and properties; and that a user bean wins. */
class MemFdEndpointAutoConfigurationTests {

    private static final String EXPOSE = "management.endpoints.web.exposure.include=memfd";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class,
                    MemFdEndpointAutoConfiguration.class));

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
        runner.withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
                "org.springframework.boot.health", "org.springframework.boot.micrometer")).withPropertyValues(EXPOSE)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MemFdFactory.class)
                        .doesNotHaveBean(MemFdEndpoint.class));
    }

    @Test
    void nothingWithoutAMemFdFactory() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MemFdEndpointAutoConfiguration.class))
                .withPropertyValues(EXPOSE)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdEndpoint.class));
    }

    @Test
    void twoFactoriesWithoutAPrimaryOneBackOffInsteadOfFailing() {
        runner.withUserConfiguration(TwoFactories.class).withPropertyValues(EXPOSE)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdEndpoint.class));
    }

    @Test
    void aUserBeanWins() {
        runner.withUserConfiguration(UserBeans.class).withPropertyValues(EXPOSE).run(context -> assertThat(
                context.getBean(MemFdEndpoint.class)).isSameAs(context.getBean(UserBeans.class).endpoint));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {

        final MemFdFactory factory = MemFdFactory.builder().build();
        final MemFdEndpoint endpoint = new MemFdEndpoint(factory.registry());

        @Bean(destroyMethod = "close")
        MemFdFactory userFactory() {
            return factory;
        }

        @Bean
        MemFdEndpoint userEndpoint() {
            return endpoint;
        }
    }
}
