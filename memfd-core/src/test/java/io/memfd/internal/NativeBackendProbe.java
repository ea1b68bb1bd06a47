package io.memfd.internal;

import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import io.memfd.KernelFeatures;
import io.memfd.MemFd;
import io.memfd.Seal;
import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.MemFdServer;

/**
 * A child JVM's main class: reports the backend this process chose and proves that the library works on it, through
 * its public API as an application uses it: the kernel probe, a memfd created, written, sealed, mapped, duplicated
 * and adopted, and an IPC hand-off of it to a server of this process. Prints {@code backend=...},
 * {@code reason=...}, {@code features=...} (the backend {@link KernelFeatures} reports), {@code seals=...} (the seal
 * bits the kernel reports, of SHRINK, GROW and WRITE: 14), {@code mapped=...}, {@code adopted=...} and
 * {@code reply=...} (what the server read from the memfd it received).
 */
public final class NativeBackendProbe {

    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int F_GET_SEALS = 1034;
    private static final int SHRINK_GROW_WRITE = 0x2 | 0x4 | 0x8;
    static final String CONTENT = "sealed hello";

    private NativeBackendProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("backend=" + NativeBackend.name());
        System.out.println("reason=" + NativeBackend.reason());
        KernelFeatures features = KernelFeatures.detect();
        System.out.println("features=" + features.nativeBackend() + " available=" + features.available());

        Path directory = Files.createTempDirectory("memfd-backend-probe-");
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock"))
                .handler((request) -> request.buffer().readAllBytes()).build().start();
                MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd memfd = MemFd.create("backend-probe")) {
            memfd.write(0, CONTENT.getBytes(StandardCharsets.UTF_8));
            memfd.addSeals(Seal.SHRINK, Seal.GROW, Seal.WRITE);
            // SHRINK, GROW and WRITE; EXEC too, where the kernel has MFD_NOEXEC_SEAL (6.3+).
            System.out.println("seals=" + (memfd.withRawFd((fd) -> NativeBackend.calls().fcntl(fd, F_GET_SEALS, 0))
                    & SHRINK_GROW_WRITE));
            MappedByteBuffer mapped = memfd.mapReadOnly();
            System.out.println("mapped=" + StandardCharsets.UTF_8.decode(mapped));
            int copy = memfd.withRawFd((fd) -> NativeBackend.calls().fcntl(fd, F_DUPFD_CLOEXEC, 0));
            try (MemFd adopted = MemFd.adopt(copy, Set.of(Seal.SHRINK, Seal.WRITE))) {
                System.out.println("adopted=" + new String(adopted.readAllBytes(), StandardCharsets.UTF_8));
            }
            System.out.println("reply=" + new String(client.send(new byte[0], memfd), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(directory.resolve("s.sock"));
            Files.delete(directory);
        }
    }
}
