package io.memfd.spring.testing;

import java.util.concurrent.Callable;

import io.memfd.testing.Seccomp;

/**
 * Runs code on a thread where the kernel refuses {@code memfd_create} with {@code EPERM}, through memfd-core's seccomp
 * test filter, as a container's seccomp profile would: an honest "memfd is forbidden here". The filter binds that
 * thread and the threads it starts, for their lifetime; nothing else in the JVM.
 */
public final class MemfdCreateForbidden {

    private static final int EPERM = 1;

    private MemfdCreateForbidden() {
    }

    /** Runs {@code action} on a new thread on which {@code memfd_create} is forbidden, and returns its result. */
    public static <T> T call(Callable<T> action) throws Exception {
        Object[] outcome = new Object[2];
        Thread thread = new Thread(() -> {
            try {
                onThisThread();
                outcome[0] = action.call();
            } catch (Throwable e) {
                outcome[1] = e;
            }
        }, "memfd-forbidden");
        thread.start();
        thread.join();
        if (outcome[1] instanceof Exception) {
            throw (Exception) outcome[1];
        }
        if (outcome[1] instanceof Error) {
            throw (Error) outcome[1];
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome[0];
        return result;
    }

    /** Forbids {@code memfd_create} for the calling thread, irrevocably. */
    public static void onThisThread() {
        Seccomp.failMemfdCreate(0, EPERM);
    }
}
