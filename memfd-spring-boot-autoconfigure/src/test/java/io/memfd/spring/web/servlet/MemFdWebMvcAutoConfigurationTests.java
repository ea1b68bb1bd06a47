package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.MemFdReactiveAutoConfiguration;
import io.memfd.spring.web.reactive.MemFdProblemWebExceptionHandler;
import io.memfd.spring.web.reactive.MemFdResourceCodecCustomizer;
import io.memfd.spring.web.reactive.MemFdWebFluxAutoConfiguration;

/**
 * Which Spring MVC beans appear where: only in a servlet application, each switched off by its property. (The WebFlux
 * auto-configuration is present too: its beans must stay out.)
 */
class MemFdWebMvcAutoConfigurationTests {

    private static final AutoConfigurations MEMFD = AutoConfigurations.of(MemFdAutoConfiguration.class,
            MemFdReactiveAutoConfiguration.class, MemFdWebFluxAutoConfiguration.class,
            MemFdWebMvcAutoConfiguration.class);

    private final WebApplicationContextRunner mvc = new WebApplicationContextRunner().withConfiguration(MEMFD);

    @Test
    void anMvcApplicationGetsTheConverterAndTheResolver() {
        this.mvc.run((context) -> assertThat(context).hasSingleBean(MemFdWebMvcConfigurer.class)
            .hasSingleBean(MemFdProblemExceptionResolver.class)
            .doesNotHaveBean(MemFdResourceCodecCustomizer.class)
            .doesNotHaveBean(MemFdProblemWebExceptionHandler.class));
        this.mvc.withPropertyValues("memfd.web.serving.enabled=false", "memfd.web.problem-details.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(MemFdWebMvcConfigurer.class)
                .doesNotHaveBean(MemFdProblemExceptionResolver.class));
    }

    @Test
    void anApplicationWithoutAWebServerGetsNoMvcBeans() {
        new ApplicationContextRunner().withConfiguration(MEMFD).run((context) -> assertThat(context)
            .doesNotHaveBean(MemFdWebMvcConfigurer.class)
            .doesNotHaveBean(MemFdProblemExceptionResolver.class));
    }
}
