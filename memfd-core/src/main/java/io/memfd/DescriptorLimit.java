package io.memfd;

import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeBuffers;
import io.memfd.internal.NativeCalls;

/** This process's limit on open descriptors ({@code getrlimit(RLIMIT_NOFILE)}), which every memfd counts against. */
final class DescriptorLimit {

    private static final int RLIMIT_NOFILE = 7;

    private static final NativeCalls C = NativeBackend.calls();

    private DescriptorLimit() {
    }

    /**
     * The soft limit: the most descriptors this process may have open now ({@code ulimit -n}; the JVM raises it to the
     * hard limit at start-up). {@code Long.MAX_VALUE} when unlimited.
     */
    static long current() {
        NativeBuffers.Pooled limits = NativeBuffers.acquire();
        try {
            int result = C.getrlimit(RLIMIT_NOFILE, limits.address());
            if (result < 0) {
                throw MemFdException.failure("read the descriptor limit (RLIMIT_NOFILE)", null, -1, -result);
            }
            // The soft limit comes first; RLIM_INFINITY is all ones: -1 as a signed 64-bit value.
            long soft = limits.buffer().getLong(0);
            return soft < 0 ? Long.MAX_VALUE : soft;
        } finally {
            NativeBuffers.release(limits);
        }
    }
}
