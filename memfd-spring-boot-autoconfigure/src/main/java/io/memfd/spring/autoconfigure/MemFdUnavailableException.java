package io.memfd.spring.autoconfigure;

import io.memfd.KernelFeatures;

/**
 * memfd support is on, but this process cannot create memfds: another OS, a kernel older than 3.17, a seccomp profile
 * or security module that forbids {@code memfd_create(2)}, or, on the JNA backend, JNA that cannot load its native
 * library. Support is on
 * either because {@code memfd.enabled} is true or because Spring AOT decided so when the application was built (AOT
 * evaluates conditions at build time, where the kernel probe answered for the build machine). Start-up fails with a
 * report that says what to do.
 */
public class MemFdUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String problem;

    private final boolean nativeCallsAvailable;

    private final String nativeBackendReason;

    private final boolean decidedAtBuildTime;

    /**
     * @param features what the kernel probe found in this process; not {@link KernelFeatures#available() available}
     * @param decidedAtBuildTime whether support is on because its condition was evaluated when the application was
     *        built (Spring AOT) rather than because {@code memfd.enabled} is true
     */
    public MemFdUnavailableException(KernelFeatures features, boolean decidedAtBuildTime) {
        super(reason(decidedAtBuildTime) + ", but this process cannot create memfds: " + features.problem());
        this.problem = features.problem();
        this.nativeCallsAvailable = features.nativeCallsAvailable();
        this.nativeBackendReason = features.nativeBackendReason();
        this.decidedAtBuildTime = decidedAtBuildTime;
    }

    /** Why memfd support is on, as the start of a sentence. */
    static String reason(boolean decidedAtBuildTime) {
        return decidedAtBuildTime ? "memfd support was switched on when this application was built with Spring AOT"
                + " (memfd_create worked on the build machine)" : "memfd.enabled is true";
    }

    /** Why memfds cannot be created. */
    public String getProblem() {
        return this.problem;
    }

    /** Whether native calls work at all; false where JNA could not load its native library. */
    public boolean isNativeCallsAvailable() {
        return this.nativeCallsAvailable;
    }

    /** Why memfd-core calls the kernel through the backend it uses ({@link KernelFeatures#nativeBackendReason()}). */
    public String getNativeBackendReason() {
        return this.nativeBackendReason;
    }

    /** Whether memfd support is on because Spring AOT decided so at build time, not because of memfd.enabled. */
    public boolean isDecidedAtBuildTime() {
        return this.decidedAtBuildTime;
    }
}
