package io.memfd.spring.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.memfd.HugePageSize;
import io.memfd.KernelFeatures;
import io.memfd.LeakDetection;
import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.SizeLimitExceededException;
import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.MemFdResources;
import io.memfd.testing.OpenFds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@link MemFdAutoConfiguration} where memfd works (this machine): beans, property binding, user beans winning. */
@ExtendWith(OutputCaptureExtension.class)
class MemFdAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class));

    @Test
    void registersTheFactoryResourcesAndKernelFeatures() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(MemFdFactory.class)
                .hasSingleBean(MemFdResources.class)
                .hasSingleBean(KernelFeatures.class)
                .hasSingleBean(MemFdProperties.class)
                .hasSingleBean(MemFdProtocolResolverRegistrar.class);
            assertThat(context.getBean(KernelFeatures.class).available()).isTrue();
        });
    }

    @Test
    void defaultsSuitAWebApplication() {
        this.runner.run((context) -> {
            MemFdFactory factory = context.getBean(MemFdFactory.class);
            assertThat(factory.registry().maxSize()).hasValue(64L << 20);
            assertThat(factory.registry().maxTotalSize()).hasValue(512L << 20);
            assertThat(factory.defaultSeals()).isEqualTo(Seal.IMMUTABLE);
            assertThat(factory.namePrefix()).isEmpty();
            assertThat(factory.options().isCloseOnExec()).isTrue();
            assertThat(factory.options().isExecutable()).isFalse();
            assertThat(factory.options().hugePages()).isEmpty();
            try (MemFd memfd = factory.createSealed("default", new byte[] { 42 })) {
                assertThat(memfd.name()).isEqualTo("default");
                assertThat(memfd.seals()).containsAll(Seal.IMMUTABLE);
                if (context.getBean(KernelFeatures.class).noexecSeal()) {
                    assertThat(memfd.seals()).contains(Seal.EXEC);
                }
                assertThat(closeOnExec(memfd)).isTrue();
            }
        });
    }

    @Test
    void bindsEveryPropertyIntoTheFactory() {
        this.runner
            .withPropertyValues("memfd.max-size=1KB", "memfd.max-total-size=4KB",
                    "memfd.default-seals=future-write,shrink", "memfd.name-prefix=app-", "memfd.executable=true",
                    "memfd.close-on-exec=false", "memfd.leak-detection=trace", "memfd.huge-pages=2MB")
            .run((context) -> {
                MemFdProperties properties = context.getBean(MemFdProperties.class);
                assertThat(properties.getLeakDetection()).isEqualTo(LeakDetection.TRACE);
                MemFdFactory factory = context.getBean(MemFdFactory.class);
                assertThat(factory.registry().maxSize()).hasValue(1024);
                assertThat(factory.registry().maxTotalSize()).hasValue(4096);
                assertThat(factory.defaultSeals()).containsExactlyInAnyOrder(Seal.FUTURE_WRITE, Seal.SHRINK);
                assertThat(factory.options().hugePages()).hasValue(HugePageSize.HUGE_2MB);
                assertThat(factory.options().isExecutable()).isTrue();
                assertThat(factory.options().isCloseOnExec()).isFalse();
            });
    }

    @Test
    void hugePagesWarnThatUploadsCannotWriteIntoThem(CapturedOutput output) {
        this.runner.run((context) -> assertThat(output).doesNotContain("memfd.huge-pages"));
        this.runner.withPropertyValues("memfd.huge-pages=2MB").run((context) -> {
            assertThat(context).hasSingleBean(MemFdResources.class);
            assertThat(output).contains("memfd.huge-pages=2MB: every memfd of this factory is on hugetlbfs, which has"
                    + " no write(): uploads received with MemFdResources");
        });
    }

    @Test
    void boundPropertiesShapeRealMemfds() {
        // memfd.noexec, memfd.executable's deprecated opposite, still works.
        this.runner
            .withPropertyValues("memfd.max-size=1KB", "memfd.default-seals=write,grow", "memfd.name-prefix=app-",
                    "memfd.noexec=false", "memfd.close-on-exec=false")
            .run((context) -> {
                MemFdResources resources = context.getBean(MemFdResources.class);
                try (MemFdResource resource = resources.createSealed("blob", new byte[1024])) {
                    MemFd memfd = resource.getMemFd();
                    assertThat(memfd.name()).isEqualTo("app-blob");
                    // Executable memfds carry no EXEC seal; default seals are exactly what was configured.
                    assertThat(memfd.seals()).containsExactlyInAnyOrder(Seal.WRITE, Seal.GROW);
                    assertThat(closeOnExec(memfd)).isFalse();
                }
                assertThatExceptionOfType(SizeLimitExceededException.class)
                    .isThrownBy(() -> resources.createSealed("blob", new byte[1025]));
            });
    }

    @Test
    void closingTheContextClosesTheFactoryAndItsBuffers() {
        MemFdResource[] survivor = new MemFdResource[1];
        this.runner.run((context) -> survivor[0] = context.getBean(MemFdResources.class).create("left-open"));
        assertThat(survivor[0].exists()).isFalse();
    }

    @Test
    void customizersRunAfterTheProperties() {
        this.runner.withPropertyValues("memfd.name-prefix=from-properties-")
            .withBean(MemFdFactoryBuilderCustomizer.class, () -> (builder) -> builder.namePrefix("customized-"))
            .run((context) -> assertThat(context.getBean(MemFdFactory.class).namePrefix()).isEqualTo("customized-"));
    }

    @Test
    void userFactoryWinsAndTheResourcesUseIt() {
        this.runner.withUserConfiguration(UserFactoryConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(MemFdFactory.class);
            MemFdFactory factory = context.getBean(MemFdFactory.class);
            assertThat(factory.namePrefix()).isEqualTo("user-");
            try (MemFdResource resource = context.getBean(MemFdResources.class).create("x")) {
                assertThat(resource.getMemFd().name()).isEqualTo("user-x");
                assertThat(factory.registry().count()).isEqualTo(1);
            }
        });
    }

    @Test
    void userResourcesAndKernelFeaturesWin() {
        MemFdFactory userFactory = MemFdFactory.builder().build();
        MemFdResources userResources = new MemFdResources(userFactory);
        KernelFeatures userFeatures = KernelFeatures.detect();
        this.runner.withBean(MemFdResources.class, () -> userResources)
            .withBean(KernelFeatures.class, () -> userFeatures)
            .run((context) -> {
                assertThat(context.getBean(MemFdResources.class)).isSameAs(userResources);
                assertThat(context.getBean(KernelFeatures.class)).isSameAs(userFeatures);
            });
        userFactory.close();
    }

    @Test
    void explicitlyEnabledWhereMemfdWorks() {
        this.runner.withPropertyValues("memfd.enabled=true")
            .run((context) -> assertThat(context).hasSingleBean(MemFdFactory.class));
    }

    @Test
    void disabledRegistersNothing() {
        this.runner.withPropertyValues("memfd.enabled=false").run((context) -> {
            assertThat(context).hasNotFailed()
                .doesNotHaveBean(MemFdFactory.class)
                .doesNotHaveBean(MemFdResources.class)
                .doesNotHaveBean(KernelFeatures.class)
                .doesNotHaveBean(MemFdProperties.class)
                .doesNotHaveBean(MemFdProtocolResolverRegistrar.class);
            assertThat(context.getResource("memfd:anything")).isNotInstanceOf(MemFdResource.class);
        });
    }

    /** Whether the descriptor has FD_CLOEXEC, as {@code /proc/self/fdinfo} reports it (octal 02000000). */
    private static boolean closeOnExec(MemFd memfd) {
        return memfd.withRawFd((fd) -> (OpenFds.statusFlags(fd) & 02000000) != 0);
    }

    @Configuration(proxyBeanMethods = false)
    static class UserFactoryConfiguration {

        @Bean(destroyMethod = "close")
        MemFdFactory userMemFdFactory() {
            return MemFdFactory.builder().namePrefix("user-").build();
        }
    }
}
