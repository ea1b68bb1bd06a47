package io.memfd.spring.autoconfigure.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.ServerUnavailableException;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.ipc.IpcTestSupport.EchoHandler;

import static io.memfd.spring.autoconfigure.ipc.IpcTestSupport.HEADER;
import static io.memfd.spring.autoconfigure.ipc.IpcTestSupport.ownUid;
import static io.memfd.spring.autoconfigure.ipc.IpcTestSupport.sealed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The IPC client bean: when it exists, that it sends to the configured server and to no server of a user it does not
 * allow, and that the application's own bean wins. The auto-configured server receives what it sends.
 */
class MemFdIpcClientAutoConfigurationTests {

    @TempDir
    Path directory;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class, MemFdIpcServerAutoConfiguration.class,
                MemFdIpcClientAutoConfiguration.class));

    @Test
    void noClientByDefault() {
        this.runner.withUserConfiguration(EchoHandler.class)
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(MemFdIpcProperties.class)
                .doesNotHaveBean(MemFdClient.class));
    }

    @Test
    void noClientWhereMemfdSupportIsOff() {
        this.runner
            .withPropertyValues("memfd.enabled=false", "memfd.ipc.client.path=" + this.directory.resolve("off.sock"))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdClient.class));
    }

    @Test
    void theClientBeanSendsToTheConfiguredPath() {
        Path socket = this.directory.resolve("client.sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket,
                    "memfd.ipc.client.path=" + socket)
            .run((context) -> {
                MemFdClient client = context.getBean(MemFdClient.class);
                assertThat(client.path()).isEqualTo(socket);
                try (MemFd buffer = sealed(context.getBean(MemFdFactory.class), 123)) {
                    assertThat(new String(client.send(HEADER, buffer), StandardCharsets.UTF_8))
                        .isEqualTo("123 bytes");
                }
            });
    }

    @Test
    void theClientBeanSendsNothingToAServerOfAUserItDoesNotAllow() throws IOException {
        Path socket = this.directory.resolve("untrusted.sock");
        long me = ownUid();
        long someoneElse = me + 1;
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket,
                    "memfd.ipc.client.path=" + socket, "memfd.ipc.client.allowed-server-uids=" + someoneElse)
            .run((context) -> {
                MemFdFactory factory = context.getBean(MemFdFactory.class);
                try (MemFd buffer = sealed(factory, 1)) {
                    assertThatExceptionOfType(ServerUnavailableException.class)
                        .isThrownBy(() -> context.getBean(MemFdClient.class).send(HEADER, buffer))
                        .withMessageContaining("runs as uid " + me)
                        .withMessageEndingWith(
                                "not as a user this client allows [" + someoneElse + "]; nothing was sent");
                    // Only the buffer above: the server adopted none.
                    assertThat(factory.registry().count()).isOne();
                }
            });
    }

    @Test
    void aUserBeanWins() {
        Path socket = this.directory.resolve("configured.sock");
        MemFdClient client = MemFdClient.builder(this.directory.resolve("elsewhere.sock")).build();
        this.runner.withBean(MemFdClient.class, () -> client)
            .withPropertyValues("memfd.ipc.client.path=" + socket)
            .run((context) -> assertThat(context).getBean(MemFdClient.class).isSameAs(client));
    }
}
