package io.memfd;

import io.memfd.internal.NativeBackend;

/**
 * The check at the two doors through which a memfd enters this library, creation and adoption: where this process
 * cannot call native code at all (JNA's stub cannot load from a read-only or {@code noexec} temporary directory), the
 * caller gets a {@link UnsupportedByKernelException} that says why and how to fix it, a {@link MemFdException} it can
 * catch and fall back on, rather than JNA's {@link LinkageError}, which after the first failure no longer even
 * carries the reason.
 */
final class NativeCallsCheck {

    private NativeCallsCheck() {
    }

    /** Throws when native calls cannot work in this process; on the FFM backend the JIT folds this to nothing. */
    static void require(String operation, String memfdName) {
        String problem = NativeBackend.problem();
        if (problem != null) {
            throw new UnsupportedByKernelException(operation, memfdName, -1, problem, 0);
        }
    }
}
