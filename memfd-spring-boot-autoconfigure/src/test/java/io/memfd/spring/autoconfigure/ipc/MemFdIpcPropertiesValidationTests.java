package io.memfd.spring.autoconfigure.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.MemFdHandler;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.testing.FailureAnalysisReport;

import static io.memfd.spring.testing.FailureAnalysisReport.origin;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code memfd.ipc.*} values bind as documented, and invalid ones fail start-up with a report that names the property,
 * whether or not the server is enabled.
 */
class MemFdIpcPropertiesValidationTests {

    @TempDir
    Path directory;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class, MemFdIpcServerAutoConfiguration.class,
                MemFdIpcClientAutoConfiguration.class));

    @Test
    void defaults() {
        this.runner.run((context) -> {
            MemFdIpcProperties properties = context.getBean(MemFdIpcProperties.class);
            MemFdIpcProperties.Server server = properties.getServer();
            assertThat(server.isEnabled()).isFalse();
            assertThat(server.getPath()).isNull();
            assertThat(PosixFilePermissions.toString(server.fileModePermissions())).isEqualTo("rw-------");
            assertThat(server.getRequiredSeals()).containsExactly(Seal.SHRINK, Seal.GROW);
            assertThat(server.getAllowedUids()).isEmpty();
            assertThat(server.getMaxBufferSize()).isNull();
            assertThat(properties.getClient().getPath()).isNull();
        });
    }

    @Test
    void valuesBind() {
        this.runner
            .withPropertyValues("memfd.ipc.server.path=/run/app/ipc.sock", "memfd.ipc.server.file-mode=0660",
                    "memfd.ipc.server.required-seals=shrink,grow,write", "memfd.ipc.server.allowed-uids=0,1000",
                    "memfd.ipc.server.max-payload-size=4KB", "memfd.ipc.server.max-buffer-size=1GB",
                    "memfd.ipc.server.max-connections=8", "memfd.ipc.server.idle-timeout=5s",
                    "memfd.ipc.client.reply-timeout=2s", "memfd.ipc.client.allowed-server-uids=0,65534")
            .run((context) -> {
                MemFdIpcProperties.Server server = context.getBean(MemFdIpcProperties.class).getServer();
                assertThat(server.getPath()).isEqualTo(Path.of("/run/app/ipc.sock"));
                assertThat(PosixFilePermissions.toString(server.fileModePermissions())).isEqualTo("rw-rw----");
                assertThat(server.getRequiredSeals()).containsExactlyInAnyOrder(Seal.SHRINK, Seal.GROW, Seal.WRITE);
                assertThat(server.getAllowedUids()).containsExactly(0L, 1000L);
                assertThat(server.getMaxPayloadSize().toBytes()).isEqualTo(4096);
                assertThat(server.getMaxBufferSize().toGigabytes()).isEqualTo(1);
                assertThat(server.getMaxConnections()).isEqualTo(8);
                assertThat(server.getIdleTimeout()).hasSeconds(5);
                MemFdIpcProperties.Client client = context.getBean(MemFdIpcProperties.class).getClient();
                assertThat(client.getReplyTimeout()).hasSeconds(2);
                assertThat(client.getAllowedServerUids()).containsExactly(0L, 65534L);
            });
    }

    @Test
    void fileModeMustBeOctalWithALeadingZero() {
        for (String mode : new String[] { "600", "0800", "01777", "rw-------", "" }) {
            assertStartupFails("memfd.ipc.server.file-mode=" + mode, (analysis) -> assertThat(
                    analysis.getDescription())
                .as(mode)
                .contains(origin("memfd.ipc.server.file-mode"), "must be four octal digits with a leading zero"));
        }
    }

    @Test
    void anUnquotedOctalFileModeInYamlFailsRatherThanMeaningSomethingElse() {
        // YAML 1.1 reads 0640 as the number 416, which binds as "416": rejected, instead of taken as mode 0416.
        this.runner.withInitializer((context) -> context.getEnvironment()
            .getPropertySources()
            .addFirst(yaml("memfd:\n  ipc:\n    server:\n      file-mode: 0640\n")))
            .run((context) -> {
                FailureAnalysis analysis = FailureAnalysisReport.of(context.getStartupFailure());
                assertThat(analysis.getDescription()).contains("Property: memfd.ipc.server.fileMode",
                        "Value: \"416\"", "(in YAML, quoted: '0660')");
            });
        this.runner.withInitializer((context) -> context.getEnvironment()
            .getPropertySources()
            .addFirst(yaml("memfd:\n  ipc:\n    server:\n      file-mode: '0640'\n")))
            .run((context) -> assertThat(PosixFilePermissions.toString(
                    context.getBean(MemFdIpcProperties.class).getServer().fileModePermissions()))
                .isEqualTo("rw-r-----"));
    }

    @Test
    void aPathLongerThanASocketAddressHolds() {
        String path = "/tmp/" + "x".repeat(110) + ".sock";
        assertStartupFails("memfd.ipc.server.path=" + path, (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.ipc.server.path"), "at most 107 bytes"));
        assertStartupFails("memfd.ipc.client.path=" + path, (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.ipc.client.path"), "at most 107 bytes"));
    }

    @Test
    void unknownSealName() {
        assertStartupFails("memfd.ipc.server.required-seals=shrink,shrunk", (analysis) -> {
            assertThat(analysis.getDescription()).contains("memfd.ipc.server.required-seals", "'shrunk' is not a seal");
            assertThat(analysis.getAction()).contains("seal, shrink, grow, write, future-write, exec")
                .doesNotContain("FUTURE_WRITE");
        });
    }

    @Test
    void negativeUid() {
        assertStartupFails("memfd.ipc.server.allowed-uids=1000,-1", (analysis) -> assertThat(
                analysis.getDescription())
            .contains(origin("memfd.ipc.server.allowed-uids"), "must be user ids, 0 or more"));
    }

    @Test
    void negativeServerUid() {
        assertStartupFails("memfd.ipc.client.allowed-server-uids=-2", (analysis) -> assertThat(
                analysis.getDescription())
            .contains(origin("memfd.ipc.client.allowed-server-uids"), "must be user ids, 0 or more"));
    }

    @Test
    void uidsBeyondWhatTheKernelHasAreRefused() {
        // uid_t is 32 bits, and (uid_t) -1 = 4294967295 means "no user".
        assertStartupFails("memfd.ipc.server.allowed-uids=1000,4294967296", (analysis) -> assertThat(
                analysis.getDescription())
            .contains(origin("memfd.ipc.server.allowed-uids"), "at most 4294967294"));
        assertStartupFails("memfd.ipc.client.allowed-server-uids=4294967295", (analysis) -> assertThat(
                analysis.getDescription())
            .contains(origin("memfd.ipc.client.allowed-server-uids"), "at most 4294967294"));
    }

    @Test
    void uidsSetToNullFromCodeMeanTheDefault() {
        Path socket = this.directory.resolve("null-uids.sock");
        this.runner.withUserConfiguration(NullUids.class)
            .withBean(MemFdHandler.class, () -> (request) -> null)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket,
                    "memfd.ipc.client.path=" + socket)
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(MemFdIpcProperties.class).getServer().getAllowedUids()).isNull();
                try (MemFd buffer = context.getBean(MemFdFactory.class).createSealed("x", new byte[] { 1 })) {
                    // The server serves this user, and the client accepts a server of this user.
                    context.getBean(MemFdClient.class).send(new byte[0], buffer);
                }
            });
    }

    @Test
    void serverSizesCountsAndDurationsMustBePositive() {
        assertStartupFails(new String[] { "memfd.ipc.server.max-payload-size=0", "memfd.ipc.server.max-buffer-size=-1B",
                "memfd.ipc.server.max-connections=0", "memfd.ipc.server.idle-timeout=0s",
                "memfd.ipc.server.shutdown-timeout=-1s" },
                (analysis) -> assertThat(analysis.getDescription()).contains(
                        origin("memfd.ipc.server.max-payload-size"), origin("memfd.ipc.server.max-buffer-size"),
                        origin("memfd.ipc.server.max-connections"), origin("memfd.ipc.server.idle-timeout"),
                        origin("memfd.ipc.server.shutdown-timeout")));
    }

    @Test
    void clientSizesAndDurationsMustBePositive() {
        assertStartupFails(new String[] { "memfd.ipc.client.connect-timeout=0s", "memfd.ipc.client.reply-timeout=-5s",
                "memfd.ipc.client.max-payload-size=3GB" },
                (analysis) -> assertThat(analysis.getDescription()).contains(
                        origin("memfd.ipc.client.connect-timeout"), origin("memfd.ipc.client.reply-timeout"),
                        origin("memfd.ipc.client.max-payload-size")));
    }

    /** Sets the allowed users to {@code null} from code, after binding. */
    @Configuration(proxyBeanMethods = false)
    static class NullUids {

        @Bean
        static BeanPostProcessor nullUids() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessBeforeInitialization(Object bean, String name) {
                    if (bean instanceof MemFdIpcProperties properties) {
                        properties.getServer().setAllowedUids(null);
                        properties.getClient().setAllowedServerUids(null);
                    }
                    return bean;
                }
            };
        }
    }

    private static PropertySource<?> yaml(String text) {
        try {
            return new YamlPropertySourceLoader()
                .load("application.yml", new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8)))
                .get(0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertStartupFails(String property, Consumer<FailureAnalysis> analysis) {
        FailureAnalysisReport.assertStartupFails(this.runner, analysis, property);
    }

    private void assertStartupFails(String[] properties, Consumer<FailureAnalysis> analysis) {
        FailureAnalysisReport.assertStartupFails(this.runner, analysis, properties);
    }
}
