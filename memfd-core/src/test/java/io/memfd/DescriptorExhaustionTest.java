package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.jna.LastErrorException;

import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.MemFdServer;
import io.memfd.ipc.MessageRejectedException;
import io.memfd.testing.ChildJvm;
import io.memfd.testing.TestLibc;

/**
 * A process out of descriptors ({@code EMFILE}) says so: creating a memfd fails with the reason named, and a server
 * that cannot take a received descriptor rejects the message as out of descriptors, not as a malformed one. Runs in a
 * child JVM, which fills its own descriptor table.
 */
class DescriptorExhaustionTest {

    @TempDir
    Path directory;

    @Test
    void runningOutOfDescriptorsIsReportedAsSuch() throws Exception {
        ChildJvm.Result child = ChildJvm.run(Exhausted.class, directory.resolve("full.sock").toString(), "warm");

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("send")).as(child.output()).isEqualTo("OUT_OF_DESCRIPTORS");
        assertThat(child.value("create")).startsWith("OutOfDescriptorsException: memfd 'one too many'")
                .endsWith("[EMFILE]");
        assertThat(child.value("reopen")).as(child.output())
                .isEqualTo("OutOfDescriptorsException: memfd 'sent' (fd " + child.value("sentFd")
                        + "): open a file channel failed: this process's limit on open files was reached (ulimit -n)"
                        + " [EMFILE]");
        assertThat(child.value("afterwards")).isEqualTo("served");
        assertThat(child.value("newcomer")).as(child.output()).isEqualTo("served");
        assertThat(child.output().split("Accepting a connection at", -1)).as("warned once, not at every retry: "
                + child.output()).hasSize(2);
        assertThat(child.output()).containsPattern("Accepting connections at .* again, after \\d+ failed attempts");
    }

    /**
     * Logging may fail out of descriptors as well: the JDK's log formatter, the first time it runs, opens its
     * time-zone file and throws an {@code Error} when it cannot. The server's accepting thread lives on.
     */
    @Test
    void aServerKeepsAcceptingWhenItsLoggerFailsForWantOfDescriptors() throws Exception {
        ChildJvm.Result child = ChildJvm.run(Exhausted.class, directory.resolve("full.sock").toString(), "cold");

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("newcomer")).as(child.output()).isEqualTo("served");
    }

    /**
     * Fills its descriptor table, then creates a memfd, receives one, and has a new client connect; with "warm",
     * logging has run before.
     */
    public static final class Exhausted {

        public static void main(String[] args) throws Exception {
            Path socket = Path.of(args[0]);
            if (args[1].equals("warm")) {
                System.getLogger(Exhausted.class.getName()).log(System.Logger.Level.INFO, "logging ready");
            }
            try (MemFdServer server = MemFdServer.builder(socket).handler(request -> null).start();
                    MemFdClient client = MemFdClient.builder(socket).build();
                    MemFd buffer = MemFd.create("sent")) {
                buffer.addSeals(EnumSet.of(Seal.SHRINK, Seal.GROW));
                System.out.println("sentFd=" + buffer.info().fd());
                // Everything the exchange needs is connected and loaded before the table is full: loading a class
                // opens its file.
                client.send(new byte[0], buffer);
                loadLibraryClasses();
                Thread newcomer = new Thread(() -> {
                    try (MemFdClient late = MemFdClient.builder(socket).build()) {
                        late.send(new byte[0], buffer);
                        System.out.println("newcomer=served");
                    }
                });
                List<Integer> fillers = fill();
                try {
                    try (MemFd memfd = MemFd.create("one too many")) {
                        System.out.println("create=none");
                    } catch (MemFdException e) {
                        System.out.println("create=" + e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    try (FileChannel none = buffer.newFileChannel()) {
                        System.out.println("reopen=none");
                    } catch (MemFdException e) {
                        System.out.println("reopen=" + e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    try {
                        client.send(new byte[0], buffer);
                        System.out.println("send=accepted");
                    } catch (MessageRejectedException e) {
                        System.out.println("send=" + e.reason());
                    }
                    // A new connection takes the last free descriptor, so the server cannot accept it: it retries
                    // every 100 ms, for as long as the table stays full.
                    TestLibc.close(fillers.remove(fillers.size() - 1));
                    newcomer.start();
                    Thread.sleep(650);
                } finally {
                    fillers.forEach(TestLibc::close);
                }
                client.send(new byte[0], buffer);
                System.out.println("afterwards=served");
                newcomer.join(10_000);
            }
        }

        /** Loads every class of this library found in directories on the class path. */
        private static void loadLibraryClasses() throws Exception {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path root = Path.of(entry);
                if (!Files.isDirectory(root)) {
                    continue;
                }
                try (var files = Files.walk(root)) {
                    // A multi-release jar's classes for newer JDKs are under META-INF/versions, with their own
                    // class path entry where this JDK uses them; module-info describes the module, it is no class.
                    for (Path file : files.filter(f -> f.toString().endsWith(".class"))
                        .filter(f -> !root.relativize(f).startsWith("META-INF"))
                        .filter(f -> !f.getFileName().toString().equals("module-info.class"))
                        .toList()) {
                        String name = root.relativize(file).toString().replace('/', '.');
                        Class.forName(name.substring(0, name.length() - ".class".length()), false,
                                Exhausted.class.getClassLoader());
                    }
                }
            }
        }

        /** Opens /dev/null until the process may open no more. */
        private static List<Integer> fill() {
            List<Integer> fds = new ArrayList<>();
            Path devNull = Path.of("/dev/null");
            assert Files.exists(devNull);
            for (;;) {
                try {
                    fds.add(TestLibc.open(devNull.toString(), TestLibc.O_RDONLY | TestLibc.O_CLOEXEC, 0));
                } catch (LastErrorException e) {
                    return fds;
                }
            }
        }
    }
}
