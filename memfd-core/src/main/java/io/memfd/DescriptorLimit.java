package io.memfd;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

import io.memfd.internal.Libc;

/** This process's limit on open descriptors ({@code getrlimit(RLIMIT_NOFILE)}), which every memfd counts against. */
final class DescriptorLimit {

    private static final int RLIMIT_NOFILE = 7;

    static {
        Native.register(DescriptorLimit.class, Libc.LIBRARY);
    }

    private static native int getrlimit(int resource, long[] limits) throws LastErrorException;

    private DescriptorLimit() {
    }

    /**
     * The soft limit: the most descriptors this process may have open now ({@code ulimit -n}; the JVM raises it to the
     * hard limit at start-up). {@code Long.MAX_VALUE} when unlimited.
     */
    static long current() {
        long[] limits = new long[2];
        try {
            getrlimit(RLIMIT_NOFILE, limits);
        } catch (LastErrorException e) {
            throw MemFdException.failure("read the descriptor limit (RLIMIT_NOFILE)", null, -1, e.getErrorCode());
        }
        // RLIM_INFINITY is all ones: -1 as a signed 64-bit value.
        return limits[0] < 0 ? Long.MAX_VALUE : limits[0];
    }
}
