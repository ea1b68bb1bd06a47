package io.memfd.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM's main class: reports the backend this process chose and proves it works, creating, writing and
 * sealing a memfd through {@link NativeBackend#calls()} alone (no other class of the library, so nothing else can load
 * JNA). Prints {@code backend=...}, {@code reason=...} and {@code seals=...}.
 */
public final class NativeBackendProbe {

    private static final int MFD_CLOEXEC_ALLOW_SEALING = 0x3;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_GET_SEALS = 1034;
    private static final int SHRINK_GROW_WRITE = 0x2 | 0x4 | 0x8;

    private NativeBackendProbe() {
    }

    public static void main(String[] args) {
        System.out.println("backend=" + NativeBackend.name());
        System.out.println("reason=" + NativeBackend.reason());
        NativeCalls calls = NativeBackend.calls();
        ByteBuffer memory = ByteBuffer.allocateDirect(4096);
        memory.put("probe\0".getBytes(StandardCharsets.US_ASCII)).clear();
        long address = calls.address(memory);
        int fd = calls.memfdCreate(address, MFD_CLOEXEC_ALLOW_SEALING);
        check(fd, "memfd_create");
        check(calls.pwrite(fd, address, memory.capacity(), 0), "pwrite");
        check(calls.fcntl(fd, F_ADD_SEALS, SHRINK_GROW_WRITE), "F_ADD_SEALS");
        System.out.println("seals=" + calls.fcntl(fd, F_GET_SEALS, 0));
        check(calls.close(fd), "close");
    }

    private static void check(long result, String call) {
        if (result < 0) {
            throw new IllegalStateException(call + " failed: " + Errno.nameOf((int) -result));
        }
    }
}
