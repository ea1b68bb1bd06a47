package io.memfd;

import java.util.Collections;
import java.util.Set;

import io.memfd.internal.NativeBackend;

/**
 * What this kernel offers, found by trying it: whether memfds can be created at all (not on another OS, an old
 * kernel, or under a seccomp filter that forbids it), and the features that arrived in later kernels; and how this
 * process calls the kernel.
 *
 * @param available whether a memfd could be created and sealed
 * @param problem why not, in plain words, when {@code available} is false; otherwise {@code null}
 * @param nativeCallsAvailable whether native calls work at all: false where the native backend cannot start (JNA
 *        cannot load its native library {@code libjnidispatch} from a read-only or {@code noexec} temporary
 *        directory, see {@code problem} for the fixes), so that the kernel was never asked
 * @param nativeBackend how this library calls the kernel: {@code "ffm"} (the Foreign Function &amp; Memory API, Java
 *        22+) or {@code "jna"} (Java 17 to 21, or forced with {@code -Dio.memfd.native=jna})
 * @param nativeBackendReason why that backend, in plain words: e.g. {@code "Java 25"},
 *        {@code "forced by -Dio.memfd.native=jna"}, {@code "Java 17 has no Foreign Function & Memory API (it needs
 *        Java 22+)"}
 * @param noexecSeal whether {@code MFD_NOEXEC_SEAL} works (Linux 6.3+): memfds are created non-executable
 * @param futureWriteSeal whether {@link Seal#FUTURE_WRITE} works (Linux 5.1+)
 * @param hugePageSizes the huge page sizes the kernel offers; a size is usable only where pages are reserved
 *        ({@link HugePageSize#reservedPages()})
 */
public record KernelFeatures(boolean available, String problem, boolean nativeCallsAvailable, String nativeBackend,
        String nativeBackendReason, boolean noexecSeal, boolean futureWriteSeal, Set<HugePageSize> hugePageSizes) {

    /** Probes the kernel with a short-lived memfd. */
    public static KernelFeatures detect() {
        Set<HugePageSize> hugePageSizes = Collections.unmodifiableSet(HugePageSize.offeredByKernel());
        String backend = NativeBackend.name();
        String reason = NativeBackend.reason();
        String nativeProblem = NativeBackend.problem();
        if (nativeProblem != null) {
            return new KernelFeatures(false, nativeProblem, false, backend, reason, false, false, hugePageSizes);
        }
        try (MemFd probe = MemFd.create("memfd-probe")) {
            boolean noexecSeal = probe.seals().contains(Seal.EXEC);
            return new KernelFeatures(true, null, true, backend, reason, noexecSeal, supportsFutureWrite(probe),
                    hugePageSizes);
        } catch (MemFdException e) {
            return new KernelFeatures(false, e.getMessage(), true, backend, reason, false, false, hugePageSizes);
        } catch (LinkageError e) {
            // The backend started, but the C library lacks what the bindings need (another OS or C library).
            return new KernelFeatures(false, "native calls through " + backend + " are unavailable (the C library"
                    + " could not be bound): " + e, true, backend, reason, false, false, hugePageSizes);
        }
    }

    private static boolean supportsFutureWrite(MemFd probe) {
        try {
            probe.addSeal(Seal.FUTURE_WRITE);
            return true;
        } catch (UnsupportedByKernelException e) {
            return false;
        }
    }
}
