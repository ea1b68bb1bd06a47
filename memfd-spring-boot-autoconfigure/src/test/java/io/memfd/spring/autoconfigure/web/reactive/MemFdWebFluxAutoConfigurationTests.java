package io.memfd.spring.autoconfigure.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;

import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.MemFdReactiveAutoConfiguration;
import io.memfd.spring.autoconfigure.web.servlet.MemFdWebMvcAutoConfiguration;
import io.memfd.spring.io.MemFdUploads;
import io.memfd.spring.io.ReactiveMemFdResources;
import io.memfd.spring.web.reactive.MemFdMultipartCodecCustomizer;
import io.memfd.spring.web.reactive.MemFdPartHttpMessageReader;
import io.memfd.spring.web.reactive.MemFdProblemWebExceptionHandler;
import io.memfd.spring.web.reactive.MemFdResourceCodecCustomizer;
import io.memfd.spring.web.reactive.MemFdResourceHttpMessageWriter;
import io.memfd.spring.web.servlet.MemFdProblemExceptionResolver;
import io.memfd.spring.web.servlet.MemFdWebMvcConfigurer;

/**
 * Which WebFlux beans appear where: only in a WebFlux application, each switched off by its property, each backing off
 * for the application's own. (The MVC auto-configuration is present too: its beans must stay out.)
 */
class MemFdWebFluxAutoConfigurationTests {

    private static final AutoConfigurations MEMFD = AutoConfigurations.of(MemFdAutoConfiguration.class,
            MemFdReactiveAutoConfiguration.class, MemFdWebFluxAutoConfiguration.class,
            MemFdWebMvcAutoConfiguration.class);

    private final ReactiveWebApplicationContextRunner webFlux = new ReactiveWebApplicationContextRunner()
        .withConfiguration(MEMFD);

    @Test
    void aWebFluxApplicationGetsTheWriterAndTheProblemHandlerButNoMemfdMultipartUnlessAsked() {
        this.webFlux.run((context) -> {
            assertThat(context).hasSingleBean(MemFdResourceCodecCustomizer.class)
                .hasSingleBean(MemFdProblemWebExceptionHandler.class)
                .hasSingleBean(ReactiveMemFdResources.class)
                .hasSingleBean(MemFdUploads.class)
                .doesNotHaveBean(MemFdMultipartCodecCustomizer.class)
                .doesNotHaveBean(MemFdWebMvcConfigurer.class)
                .doesNotHaveBean(MemFdProblemExceptionResolver.class);
            ServerCodecConfigurer codecs = ServerCodecConfigurer.create();
            context.getBean(MemFdResourceCodecCustomizer.class).customize(codecs);
            assertThat(codecs.getWriters().get(0)).isInstanceOf(MemFdResourceHttpMessageWriter.class);
        });
    }

    @Test
    void memfdMultipartIsOnRequest() {
        this.webFlux.withPropertyValues("memfd.web.multipart.enabled=true").run((context) -> {
            assertThat(context).hasSingleBean(MemFdMultipartCodecCustomizer.class);
            ServerCodecConfigurer codecs = ServerCodecConfigurer.create();
            context.getBean(MemFdMultipartCodecCustomizer.class).customize(codecs);
            assertThat(codecs.getReaders()).hasAtLeastOneElementOfType(MemFdPartHttpMessageReader.class);
        });
    }

    @Test
    void eachWebFluxPieceHasItsSwitch() {
        this.webFlux.withPropertyValues("memfd.web.serving.enabled=false", "memfd.web.problem-details.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(MemFdResourceCodecCustomizer.class)
                .doesNotHaveBean(MemFdProblemWebExceptionHandler.class));
    }

    @Test
    void theApplicationsOwnBeansWin() {
        this.webFlux.withUserConfiguration(OwnBeans.class).run((context) -> {
            assertThat(context.getBean(MemFdResourceCodecCustomizer.class)).isSameAs(OwnBeans.CODECS);
            assertThat(context.getBean(MemFdProblemWebExceptionHandler.class)).isSameAs(OwnBeans.PROBLEMS);
        });
    }

    @Test
    void anApplicationWithoutAWebServerGetsNoWebFluxBeans() {
        new ApplicationContextRunner().withConfiguration(MEMFD).run((context) -> assertThat(context)
            .hasSingleBean(ReactiveMemFdResources.class)
            .doesNotHaveBean(MemFdResourceCodecCustomizer.class)
            .doesNotHaveBean(MemFdProblemWebExceptionHandler.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {

        static final MemFdResourceCodecCustomizer CODECS = new MemFdResourceCodecCustomizer(Duration.ofSeconds(5));

        static final MemFdProblemWebExceptionHandler PROBLEMS = new MemFdProblemWebExceptionHandler();

        @Bean
        MemFdResourceCodecCustomizer ownCodecs() {
            return CODECS;
        }

        @Bean
        MemFdProblemWebExceptionHandler ownProblems() {
            return PROBLEMS;
        }
    }
}
