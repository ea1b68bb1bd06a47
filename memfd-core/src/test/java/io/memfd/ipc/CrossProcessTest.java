package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.testing.TestLibc;
import io.memfd.MemFd;
import io.memfd.testing.ChildJvm;

/** Java to Java across two real processes: a child JVM sends a 64 MiB sealed memfd to this one. */
class CrossProcessTest {

    private static final int SIZE = 64 << 20;

    @TempDir
    Path directory;

    @Test
    void a64MiBSealedBufferArrivesIntactAndIsTheSameFileNotACopy() throws Exception {
        AtomicReference<String> received = new AtomicReference<>();
        AtomicReference<Long> senderPid = new AtomicReference<>();
        MemFdHandler handler = request -> {
            MemFd buffer = request.buffer();
            received.set(ChildSender.describe(buffer, buffer.withRawFd(fd -> TestLibc.inode(fd))));
            senderPid.set(request.peer().pid());
            return ("received '" + buffer.name() + "' " + new String(request.header(), UTF_8)).getBytes(UTF_8);
        };
        try (MemFdServer server = MemFdServer.builder(directory.resolve("jvm.sock")).handler(handler).start()) {
            ChildJvm.Result child = ChildJvm.run(ChildSender.class, server.path().toString(), String.valueOf(SIZE));

            assertThat(child.exitCode()).as("the child's exit status; it printed %s", child.output()).isZero();
            // The child describes the file it sent, the handler the file it received: same inode, same content.
            assertThat(child.value("sent")).isEqualTo(received.get()).endsWith(" size=" + SIZE);
            assertThat(child.value("reply")).isEqualTo("received 'child-buffer' 64 MiB from a child");
            assertThat(senderPid.get()).isEqualTo(Long.parseLong(child.value("pid")))
                    .isNotEqualTo(ProcessHandle.current().pid());
        }
    }
}
