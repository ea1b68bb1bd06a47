package io.memfd.spring.autoconfigure.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.MemFdHandler;
import io.memfd.ipc.MessageRejectedException;
import io.memfd.ipc.RejectReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** What the IPC server's and the IPC client's auto-configuration tests both send, reply and check. */
final class IpcTestSupport {

    static final byte[] HEADER = "header".getBytes(StandardCharsets.UTF_8);

    private IpcTestSupport() {
    }

    /** The owner of /proc/self is this process's effective user. */
    static long ownUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    static MemFd sealed(MemFdFactory factory, int size) {
        return factory.createSealed("sent", new byte[size]);
    }

    /** Sends {@code buffer} from a client of its own, and closes the buffer: the server holds its own descriptor. */
    static String send(Path socket, MemFd buffer) {
        try (MemFdClient client = MemFdClient.builder(socket).build(); buffer) {
            return new String(client.send(HEADER, buffer), StandardCharsets.UTF_8);
        }
    }

    static void assertRejected(Path socket, MemFd buffer, RejectReason reason) {
        assertThatExceptionOfType(MessageRejectedException.class).isThrownBy(() -> send(socket, buffer))
            .satisfies((e) -> assertThat(e.reason()).isEqualTo(reason));
    }

    /** Replies with the buffer's size. */
    @Configuration(proxyBeanMethods = false)
    static class EchoHandler {
        @Bean
        MemFdHandler echoHandler() {
            return (request) -> (request.hasBuffer() ? request.buffer().size() + " bytes" : "no buffer")
                .getBytes(StandardCharsets.UTF_8);
        }
    }
}
