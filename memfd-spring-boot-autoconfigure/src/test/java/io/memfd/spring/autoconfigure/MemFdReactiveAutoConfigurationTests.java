package io.memfd.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Mono;

import io.memfd.spring.io.MemFdUploads;
import io.memfd.spring.io.ReactiveMemFdResources;
import io.memfd.spring.web.MemFdWebProperties;
import io.memfd.spring.web.reactive.MemFdWebFluxAutoConfiguration;
import io.memfd.spring.web.servlet.MemFdWebMvcAutoConfiguration;

/** Streaming reactive content into memfds: with Reactor, web server or not, with the configured idle timeout. */
class MemFdReactiveAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class, MemFdReactiveAutoConfiguration.class));

    @Test
    void anApplicationWithoutAWebServerGetsReactiveIngestion() {
        this.runner.run((context) -> assertThat(context).hasSingleBean(ReactiveMemFdResources.class)
            .hasSingleBean(MemFdUploads.class));
    }

    @Test
    void theIdleTimeoutIsTheProperty() {
        this.runner.withPropertyValues("memfd.web.upload-idle-timeout=5s").run((context) -> assertThat(context
            .getBean(MemFdWebProperties.class).getUploadIdleTimeout()).isEqualTo(Duration.ofSeconds(5)));
        this.runner.withPropertyValues("memfd.web.upload-idle-timeout=0s")
            .run((context) -> assertThat(context).hasFailed());
    }

    @Test
    void withoutReactorThereIsNoReactiveIngestion() {
        // Nor does the web support that uses it fail.
        this.runner
            .withConfiguration(
                    AutoConfigurations.of(MemFdWebFluxAutoConfiguration.class, MemFdWebMvcAutoConfiguration.class))
            .withClassLoader(new FilteredClassLoader(Mono.class))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ReactiveMemFdResources.class));
    }
}
