package io.memfd.spring.autoconfigure.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.MemFdHandler;
import io.memfd.ipc.MemFdServer;
import io.memfd.ipc.MemFdServerListener;
import io.memfd.ipc.MessageRejectedException;
import io.memfd.ipc.PeerCredentials;
import io.memfd.ipc.RejectReason;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.ipc.IpcTestSupport.EchoHandler;
import io.memfd.spring.ipc.MemFdServerLifecycle;

import static io.memfd.spring.autoconfigure.ipc.IpcTestSupport.HEADER;
import static io.memfd.spring.autoconfigure.ipc.IpcTestSupport.assertRejected;
import static io.memfd.spring.autoconfigure.ipc.IpcTestSupport.ownUid;
import static io.memfd.spring.autoconfigure.ipc.IpcTestSupport.sealed;
import static io.memfd.spring.autoconfigure.ipc.IpcTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The IPC server bean: when it exists, how the properties shape it, that it lives and dies with the context (socket
 * file included), and that the application's own bean wins.
 */
class MemFdIpcServerAutoConfigurationTests {

    @TempDir
    Path directory;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class, MemFdIpcServerAutoConfiguration.class));

    @Test
    void noServerByDefault() {
        this.runner.withUserConfiguration(EchoHandler.class)
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(MemFdIpcProperties.class)
                .doesNotHaveBean(MemFdServerLifecycle.class));
    }

    @Test
    void serverRunsWithTheContextAndRemovesItsSocketFileWhenItCloses() {
        Path socket = this.directory.resolve("server.sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket)
            .run((context) -> {
                MemFdServerLifecycle server = context.getBean(MemFdServerLifecycle.class);
                assertThat(server.isRunning()).isTrue();
                assertThat(server.getPath()).isEqualTo(socket);
                assertThat(Files.readAttributes(socket, BasicFileAttributes.class).isOther()).as("a socket file")
                    .isTrue();
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rw-------");
                assertThat(send(socket, sealed(context.getBean(MemFdFactory.class), 4096))).isEqualTo("4096 bytes");
            });
        assertThat(socket).doesNotExist();
    }

    @Test
    void aStoppedContextServesAgainWhenStartedAgain() {
        Path socket = this.directory.resolve("restart.sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket)
            .run((context) -> {
                MemFdServerLifecycle server = context.getBean(MemFdServerLifecycle.class);
                context.stop();
                assertThat(server.isRunning()).isFalse();
                assertThat(server.getPath()).isNull();
                assertThat(socket).doesNotExist();
                context.start();
                assertThat(server.isRunning()).isTrue();
                assertThat(send(socket, sealed(context.getBean(MemFdFactory.class), 10))).isEqualTo("10 bytes");
            });
    }

    @Test
    void anEnabledServerWithoutAHandlerFailsStartUp() {
        this.runner.withPropertyValues("memfd.ipc.server.enabled=true",
                "memfd.ipc.server.path=" + this.directory.resolve("none.sock"))
            .run((context) -> assertThat(context).getFailure()
                .rootCause()
                .isInstanceOf(NoSuchBeanDefinitionException.class)
                .hasMessageContaining(MemFdHandler.class.getName()));
    }

    @Test
    void anEnabledServerWithTwoHandlersAndNoPrimaryOneFailsStartUp() {
        this.runner.withUserConfiguration(EchoHandler.class, SecondHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true",
                    "memfd.ipc.server.path=" + this.directory.resolve("two.sock"))
            .run((context) -> assertThat(context).getFailure()
                .rootCause()
                .isInstanceOf(NoUniqueBeanDefinitionException.class)
                .hasMessageContaining(MemFdHandler.class.getName()));
    }

    @Test
    void nothingWhereMemfdSupportIsOff() {
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.enabled=false", "memfd.ipc.server.enabled=true",
                    "memfd.ipc.server.path=" + this.directory.resolve("off.sock"))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdServerLifecycle.class));
    }

    @Test
    void receivedBuffersAreAdoptedThroughTheFactoryAndItsLimitsApply() {
        Path socket = this.directory.resolve("limits.sock");
        this.runner.withUserConfiguration(RegistryCheckingHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket,
                    "memfd.max-size=8KB", "memfd.max-total-size=12KB")
            .run((context) -> {
                MemFdFactory factory = context.getBean(MemFdFactory.class);
                try (MemFd small = sealed(factory, 4096)) {
                    // The sender's own buffer counts too: 4 KiB here, 4 KiB more while the server holds its copy.
                    assertThat(send(socket, small)).isEqualTo("listed in the registry: 2 live buffers");
                }
                try (MemFd large = sealed(MemFdFactory.builder().build(), 8192 + 1)) {
                    assertRejected(socket, large, RejectReason.BUFFER_TOO_LARGE);
                }
                try (MemFd held = sealed(factory, 8192); MemFd more = sealed(MemFdFactory.builder().build(), 8192)) {
                    assertRejected(socket, more, RejectReason.OVER_BUDGET);
                }
                assertThat(factory.registry().count()).isZero();
            });
    }

    @Test
    void maxBufferSizeNarrowsTheFactoryLimit() {
        Path socket = this.directory.resolve("narrow.sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket,
                    "memfd.ipc.server.max-buffer-size=1KB")
            .run((context) -> {
                MemFdFactory factory = context.getBean(MemFdFactory.class);
                assertThat(send(socket, sealed(factory, 1024))).isEqualTo("1024 bytes");
                assertRejected(socket, sealed(factory, 1025), RejectReason.BUFFER_TOO_LARGE);
            });
    }

    @Test
    void serverPropertiesAreApplied() {
        Path socket = this.directory.resolve("settings.sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket,
                    "memfd.ipc.server.file-mode=0660", "memfd.ipc.server.required-seals=shrink,write",
                    "memfd.ipc.server.max-payload-size=16B")
            .run((context) -> {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rw-rw----");
                MemFdFactory factory = context.getBean(MemFdFactory.class);
                try (MemFd shrinkOnly = factory.create("shrink-only")) {
                    shrinkOnly.write(0, new byte[10]);
                    shrinkOnly.addSeal(Seal.SHRINK);
                    assertRejected(socket, shrinkOnly, RejectReason.MISSING_SEALS);
                }
                try (MemFdClient client = MemFdClient.builder(socket).build(); MemFd buffer = sealed(factory, 1)) {
                    assertThatExceptionOfType(MessageRejectedException.class)
                        .isThrownBy(() -> client.send(new byte[17], buffer))
                        .satisfies((e) -> assertThat(e.reason()).isEqualTo(RejectReason.HEADER_TOO_LARGE));
                }
            });
    }

    @Test
    void onlyTheAllowedUsersMayConnect() throws IOException {
        Path socket = this.directory.resolve("uids.sock");
        long someoneElse = ownUid() + 1;
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket,
                    "memfd.ipc.server.allowed-uids=" + someoneElse)
            .run((context) -> assertRejected(socket, sealed(context.getBean(MemFdFactory.class), 1),
                    RejectReason.PEER_NOT_ALLOWED));
    }

    @Test
    void byDefaultReceivedBuffersMustBeSealedAgainstShrinkingAndGrowing() {
        Path socket = this.directory.resolve("defaults.sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket)
            .run((context) -> {
                MemFdFactory factory = context.getBean(MemFdFactory.class);
                assertThat(context.getBean(MemFdIpcProperties.class).getServer().getRequiredSeals())
                    .containsExactlyInAnyOrder(Seal.SHRINK, Seal.GROW);
                try (MemFd growable = factory.create("growable")) {
                    growable.write(0, new byte[] { 1 });
                    growable.addSeal(Seal.SHRINK);
                    assertRejected(socket, growable, RejectReason.MISSING_SEALS);
                }
                send(socket, sealed(factory, 5));
            });
    }

    @Test
    void maxConnectionsRefusesTheConnectionsBeyondIt() {
        Path socket = this.directory.resolve("connections.sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket,
                    "memfd.ipc.server.max-connections=1")
            .run((context) -> {
                MemFdFactory factory = context.getBean(MemFdFactory.class);
                try (MemFdClient first = MemFdClient.builder(socket).build(); MemFd buffer = sealed(factory, 1)) {
                    first.send(HEADER, buffer);
                    assertRejected(socket, buffer, RejectReason.TOO_MANY_CONNECTIONS);
                }
            });
    }

    @Test
    void everyListenerBeanHearsOfEveryMessage() {
        Path socket = this.directory.resolve("listeners.sock");
        this.runner.withUserConfiguration(EchoHandler.class, RecordingListeners.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket)
            .run((context) -> {
                MemFdFactory factory = context.getBean(MemFdFactory.class);
                send(socket, sealed(factory, 5));
                try (MemFd unsealed = factory.create("unsealed")) {
                    assertRejected(socket, unsealed, RejectReason.MISSING_SEALS);
                }
                List<String> heard = context.getBean(RecordingListeners.class).heard;
                assertThat(heard).containsExactly("first accepted 5", "second accepted 5", "first MISSING_SEALS",
                        "second MISSING_SEALS");
            });
    }

    @Test
    void customizersShapeTheServer() {
        Path socket = this.directory.resolve("customized.sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withBean(MemFdServerBuilderCustomizer.class, () -> (builder) -> builder.bufferRequired(false))
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket)
            .run((context) -> {
                try (MemFdClient client = MemFdClient.builder(socket).build()) {
                    assertThat(new String(client.send(HEADER), StandardCharsets.UTF_8)).isEqualTo("no buffer");
                }
            });
    }

    @Test
    void userBeansWin() {
        Path socket = this.directory.resolve("configured.sock");
        MemFdServerLifecycle server = new MemFdServerLifecycle(MemFdServer.builder(this.directory.resolve("own.sock"))
            .handler((request) -> null), "the application's own");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withBean(MemFdServerLifecycle.class, () -> server)
            .withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket)
            .run((context) -> {
                assertThat(context).getBean(MemFdServerLifecycle.class).isSameAs(server);
                assertThat(server.isRunning()).isTrue();
                assertThat(socket).doesNotExist();
            });
    }

    @Test
    void theDefaultPathIsNamedAfterTheApplication() {
        Path directory = MemFdServer.defaultDirectory();
        assertThat(MemFdIpcServerAutoConfiguration.defaultPath(new MockEnvironment())).isEqualTo(directory.resolve(
                "memfd.sock"));
        assertThat(MemFdIpcServerAutoConfiguration.defaultPath(new MockEnvironment()
            .withProperty("spring.application.name", "orders"))).isEqualTo(directory.resolve("memfd-orders.sock"));
        assertThat(MemFdIpcServerAutoConfiguration.defaultPath(new MockEnvironment()
            .withProperty("spring.application.name", " my app/v2 "))).isEqualTo(directory.resolve(
                    "memfd-my_app_v2.sock"));
    }

    @Test
    void theDefaultSocketIsInADirectoryOnlyThisUserMayEnter() throws IOException {
        // In a directory others may write to, another user could take the path first, or stand in while the server
        // is down and receive what senders send.
        Path socket = MemFdIpcServerAutoConfiguration.defaultPath(new MockEnvironment());
        Path directory = socket.getParent();

        assertThat(Files.isSymbolicLink(directory)).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS)))
            .isEqualTo("rwx------");
        assertThat(Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo((int) ownUid());
    }

    @Test
    void withoutAPathTheServerListensOnTheDefaultOne() {
        String name = "ipc-test-" + ProcessHandle.current().pid();
        Path socket = MemFdServer.defaultDirectory().resolve("memfd-" + name + ".sock");
        this.runner.withUserConfiguration(EchoHandler.class)
            .withPropertyValues("memfd.ipc.server.enabled=true", "spring.application.name=" + name)
            .run((context) -> {
                assertThat(context.getBean(MemFdServerLifecycle.class).getPath()).isEqualTo(socket);
                assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isTrue();
            });
        assertThat(socket).doesNotExist();
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondHandler {
        @Bean
        MemFdHandler secondHandler() {
            return (request) -> null;
        }
    }

    /** Replies whether the received buffer is the one the factory's registry lists. */
    @Configuration(proxyBeanMethods = false)
    static class RegistryCheckingHandler {
        @Bean
        MemFdHandler registryCheckingHandler(MemFdFactory factory) {
            return (request) -> {
                MemFd buffer = request.buffer();
                boolean listed = factory.registry().find(buffer.info().id()).orElse(null) == buffer;
                return ((listed ? "listed in the registry: " : "not listed: ") + factory.registry().count()
                        + " live buffers").getBytes(StandardCharsets.UTF_8);
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RecordingListeners {

        final List<String> heard = new CopyOnWriteArrayList<>();

        @Bean
        MemFdServerListener firstListener() {
            return listener("first");
        }

        @Bean
        MemFdServerListener secondListener() {
            return listener("second");
        }

        private MemFdServerListener listener(String name) {
            return new MemFdServerListener() {
                @Override
                public void accepted(PeerCredentials peer, long bufferSize) {
                    RecordingListeners.this.heard.add(name + " accepted " + bufferSize);
                }

                @Override
                public void rejected(PeerCredentials peer, RejectReason reason, String detail) {
                    RecordingListeners.this.heard.add(name + " " + reason);
                }
            };
        }
    }

}
