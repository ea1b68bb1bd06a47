package io.memfd.spring.autoconfigure;

import java.io.FileNotFoundException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.io.WritableResource;
import org.springframework.stereotype.Component;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.MemFdResources;
import io.memfd.testing.TestLibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@code memfd:} locations through {@code ResourceLoader.getResource} and {@code @Value} injection. */
class MemFdProtocolResolverTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class));

    @Test
    void resourceLoaderResolvesTheLiveBufferOfThatName() {
        this.runner.run((context) -> {
            MemFdResources resources = context.getBean(MemFdResources.class);
            try (MemFdResource greeting = resources.createSealed("greeting.txt", bytes("hello"))) {
                Resource resolved = context.getResource("memfd:greeting.txt");
                assertThat(resolved.exists()).isTrue();
                assertThat(resolved.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("hello");
                assertThat(resolved.contentLength()).isEqualTo(5);
                assertThat(resolved.isFile()).isFalse();
                assertThat(resolved.getFilename()).isEqualTo("greeting.txt");
                assertThat(resolved.getDescription()).isEqualTo(greeting.getDescription());
                assertThat(resolved).isEqualTo(context.getResource("memfd:greeting.txt"))
                    .isNotEqualTo(context.getResource("memfd:other"));
            }
        });
    }

    @Test
    void unknownNameIsAMissingResource() {
        this.runner.run((context) -> {
            Resource missing = context.getResource("memfd:nobody");
            assertThat(missing.exists()).isFalse();
            assertThat(missing.isReadable()).isFalse();
            assertThat(missing.isFile()).isFalse();
            assertThat(missing.getDescription()).isEqualTo("memfd [nobody] (no live buffer has this name)");
            assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(missing::getInputStream)
                .withMessage("memfd [nobody] (no live buffer has this name) cannot be opened because it does not"
                        + " exist");
            assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(missing::contentLength);
            assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(missing::getFile);
        });
    }

    @Test
    void resolvedResourceFollowsTheNameAsBuffersComeAndGo() {
        this.runner.run((context) -> {
            MemFdResources resources = context.getBean(MemFdResources.class);
            Resource report = context.getResource("memfd:report");
            assertThat(report.exists()).isFalse();
            try (MemFdResource first = resources.createSealed("report", bytes("first"))) {
                assertThat(report.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("first");
                try (MemFdResource second = resources.createSealed("report", bytes("second"))) {
                    // Names need not be unique; the newest live buffer wins.
                    assertThat(report.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("second");
                }
                assertThat(report.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("first");
            }
            assertThat(report.exists()).isFalse();
        });
    }

    @Test
    void writableWhileTheBufferIsNotSealed() {
        this.runner.run((context) -> {
            try (MemFdResource draft = context.getBean(MemFdResources.class).create("draft")) {
                Resource resolved = context.getResource("memfd:draft");
                assertThat(resolved).isInstanceOf(WritableResource.class);
                WritableResource writable = (WritableResource) resolved;
                assertThat(writable.isWritable()).isTrue();
                try (OutputStream out = writable.getOutputStream()) {
                    out.write(bytes("written through memfd:draft"));
                }
                assertThat(draft.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("written through memfd:draft");
                context.getBean(MemFdResources.class).seal(draft);
                assertThat(writable.isWritable()).isFalse();
            }
        });
    }

    @Test
    void aNameIsResolvedAsTheApplicationWroteItWhateverThePrefix() {
        this.runner.withPropertyValues("memfd.name-prefix=app-")
            .withUserConfiguration(ValueInjected.class)
            .run((context) -> {
                try (MemFdResource greeting = context.getBean(MemFdResources.class)
                    .createSealed("greeting", bytes("hello"))) {
                    assertThat(greeting.getMemFd().name()).isEqualTo("app-greeting");
                    assertThat(context.getResource("memfd:greeting").getContentAsString(StandardCharsets.UTF_8))
                        .isEqualTo("hello");
                    assertThat(context.getBean(ValueInjected.class).greeting.exists()).isTrue();
                    // The prefix is the factory's to add: written out, it names another buffer.
                    assertThat(context.getResource("memfd:app-greeting").exists()).isFalse();
                }
            });
    }

    @Test
    void aBufferFromAnotherProcessNeverTakesOverAName() {
        this.runner.run((context) -> {
            MemFdFactory factory = context.getBean(MemFdFactory.class);
            Resource config = context.getResource("memfd:app/config.json");
            try (MemFdResource own = context.getBean(MemFdResources.class)
                .createSealed("app/config.json", bytes("{\"admin\":false}"));
                    MemFd peers = factory.adopt(TestLibc.peerMemfd("app/config.json", bytes("{\"admin\":true}")),
                            Set.of(Seal.SHRINK))) {
                assertThat(config.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("{\"admin\":false}");
                own.close();
                assertThat(config.exists()).isFalse();
            }
        });
    }

    @Test
    void otherLocationsAreLeftToSpring() {
        this.runner.run((context) -> assertThat(context.getResource("classpath:sample/greeting.txt"))
            .isInstanceOf(ClassPathResource.class));
    }

    @Test
    void valueInjectionResolvesABufferCreatedAfterInjection() {
        this.runner.withUserConfiguration(ValueInjected.class).run((context) -> {
            Resource injected = context.getBean(ValueInjected.class).greeting;
            assertThat(injected.exists()).isFalse();
            try (MemFdResource greeting = context.getBean(MemFdResources.class)
                .createSealed("greeting", bytes("hello, @Value"))) {
                assertThat(injected.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("hello, @Value");
            }
        });
    }

    @Test
    void worksInASpringApplicationThroughItsAutoConfiguration() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off")
            .run()) {
            try (MemFdResource greeting = context.getBean(MemFdResources.class)
                .createSealed("greeting", bytes("hello, application"))) {
                ResourceLoader loader = context.getBean(LoaderUser.class).loader;
                assertThat(loader.getResource("memfd:greeting").getContentAsString(StandardCharsets.UTF_8))
                    .isEqualTo("hello, application");
                assertThat(context.getBean(ValueInjected.class).greeting.getContentAsString(StandardCharsets.UTF_8))
                    .isEqualTo("hello, application");
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Component
    static class ValueInjected {

        final Resource greeting;

        ValueInjected(@Value("memfd:greeting") Resource greeting) {
            this.greeting = greeting;
        }
    }

    @Component
    static class LoaderUser {

        final ResourceLoader loader;

        LoaderUser(ResourceLoader loader) {
            this.loader = loader;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import({ ValueInjected.class, LoaderUser.class })
    static class Application {

    }
}
