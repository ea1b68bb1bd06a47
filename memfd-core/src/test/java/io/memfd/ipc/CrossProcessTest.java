package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.MemFd;
import io.memfd.internal.FileStatus;

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
            long inode = buffer.withRawFd(fd -> FileStatus.inode(fd, null));
            received.set("sent inode=" + inode + " crc=" + ChildSender.crc(buffer.mapReadOnly()) + " size="
                    + buffer.size());
            senderPid.set(request.peer().pid());
            return ("received '" + buffer.name() + "' " + new String(request.header(), UTF_8)).getBytes(UTF_8);
        };
        try (MemFdServer server = MemFdServer.builder(directory.resolve("jvm.sock")).handler(handler).start()) {
            Process child = childJvm(server.path());
            List<String> printed = output(child);

            assertThat(child.exitValue()).as("the child's exit status; it printed %s", printed).isZero();
            // The child describes the file it sent, the handler the file it received: same inode, same content.
            assertThat(printed).containsExactly(received.get(), "received 'child-buffer' 64 MiB from a child");
            assertThat(received.get()).endsWith(" size=" + SIZE);
            assertThat(senderPid.get()).isEqualTo(child.pid()).isNotEqualTo(ProcessHandle.current().pid());
        }
    }

    private static Process childJvm(Path socket) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ChildSender.class.getName(), socket.toString(),
                String.valueOf(SIZE)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static List<String> output(Process child) throws Exception {
        child.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
        return lines;
    }
}
