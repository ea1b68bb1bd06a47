package io.memfd.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a {@link MemFdUnavailableException}: what failed, and how to make memfd work or do without it. */
class MemFdUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<MemFdUnavailableException> {

    private static final String DO_WITHOUT = "Or, to start without memfd support, remove memfd.enabled=true (memfd"
            + " support then switches itself off where it cannot work) or set memfd.enabled=false.";

    private static final String DO_WITHOUT_AOT = "Or, to start without memfd support, build the application (Spring"
            + " AOT's process-aot) with memfd.enabled=false: AOT evaluated memfd support's condition at build time, so"
            + " memfd.enabled given now is not read.";

    private static final String FIX_KERNEL = "Let this process call memfd_create(2): it needs Linux 3.17 or later,"
            + " and the seccomp profile (for example the container runtime's), SELinux or AppArmor policy that denies"
            + " it must allow it.";

    // Only native calls through JNA can be unavailable (KernelFeatures.nativeCallsAvailable): the FFM backend either
    // starts when it is chosen or is not chosen. JNA's search order: jna.boot.library.path, then extraction into
    // jna.tmpdir, ~/.cache/JNA/temp (user.home) or java.io.tmpdir. Hardened containers break the extraction, not the
    // kernel: seccomp advice would mislead here.
    private static final String FIX_JNA = """
            memfd-core calls the kernel through JNA, and JNA could not load its native library, libjnidispatch.so. \
            JNA copies it out of its jar into jna.tmpdir, else ~/.cache/JNA/temp (under user.home), else \
            java.io.tmpdir, and loads it from there: that directory must be writable and allow executables, which a \
            read-only root file system or a /tmp mounted noexec does not. Either
                - set -Djna.tmpdir to a directory that is writable and not mounted noexec (a volume of its own), or
                - put libjnidispatch.so of the application's JNA version (com/sun/jna/linux-x86-64/ or \
            linux-aarch64/ inside the JNA jar; a distribution's package is usually another version, which JNA \
            refuses) in a directory of the image and set -Djna.boot.library.path to that directory.
            Where Java 24+ runs with --illegal-native-access=deny, also enable native access: \
            --enable-native-access=ALL-UNNAMED, or Enable-Native-Access: ALL-UNNAMED in the executable jar's \
            manifest.
            On Java 22 or later memfd-core calls the kernel through the Foreign Function & Memory API instead, which \
            needs no such library; it uses JNA here (%s).""";

    private static final String FIX_NATIVE_ACCESS = "This JVM denies native access"
            + " (--illegal-native-access=deny), which memfd-core needs to call the kernel, through the Foreign"
            + " Function & Memory API and through JNA alike. Enable it for the application: with"
            + " Enable-Native-Access: ALL-UNNAMED in the executable jar's manifest (for java -jar), or with"
            + " --enable-native-access=ALL-UNNAMED (io.memfd.core and com.sun.jna on the module path).";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MemFdUnavailableException cause) {
        String description = MemFdUnavailableException.reason(cause.isDecidedAtBuildTime())
                + ", but this process cannot create memfds:\n\n    " + cause.getProblem();
        return new FailureAnalysis(description, fix(cause) + "\n" + (cause.isDecidedAtBuildTime() ? DO_WITHOUT_AOT
                : DO_WITHOUT), cause);
    }

    private static String fix(MemFdUnavailableException cause) {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "memfd exists only on Linux: run the application on Linux 3.17 or later.";
        }
        if (cause.isNativeCallsAvailable()) {
            return FIX_KERNEL;
        }
        return cause.getProblem().startsWith("native access is denied") ? FIX_NATIVE_ACCESS
                : FIX_JNA.formatted(cause.getNativeBackendReason());
    }
}
