package io.memfd;

import java.util.Collections;
import java.util.Set;

import io.memfd.internal.JnaDispatch;

/**
 * What this kernel offers, found by trying it: whether memfds can be created at all (not on another OS, an old
 * kernel, or under a seccomp filter that forbids it), and the features that arrived in later kernels.
 *
 * @param available whether a memfd could be created and sealed
 * @param problem why not, in plain words, when {@code available} is false; otherwise {@code null}
 * @param nativeCallsAvailable whether native calls work at all: false where JNA cannot load its native library
 *        ({@code libjnidispatch}; a read-only or {@code noexec} temporary directory, see {@code problem} for the
 *        fixes), so that the kernel was never asked
 * @param noexecSeal whether {@code MFD_NOEXEC_SEAL} works (Linux 6.3+): memfds are created non-executable
 * @param futureWriteSeal whether {@link Seal#FUTURE_WRITE} works (Linux 5.1+)
 * @param hugePageSizes the huge page sizes the kernel offers; a size is usable only where pages are reserved
 *        ({@link HugePageSize#reservedPages()})
 */
public record KernelFeatures(boolean available, String problem, boolean nativeCallsAvailable, boolean noexecSeal,
        boolean futureWriteSeal, Set<HugePageSize> hugePageSizes) {

    /** Probes the kernel with a short-lived memfd. */
    public static KernelFeatures detect() {
        Set<HugePageSize> hugePageSizes = Collections.unmodifiableSet(HugePageSize.offeredByKernel());
        String nativeProblem = JnaDispatch.problem();
        if (nativeProblem != null) {
            return new KernelFeatures(false, nativeProblem, false, false, false, hugePageSizes);
        }
        try (MemFd probe = MemFd.create("memfd-probe")) {
            boolean noexecSeal = probe.seals().contains(Seal.EXEC);
            return new KernelFeatures(true, null, true, noexecSeal, supportsFutureWrite(probe), hugePageSizes);
        } catch (MemFdException e) {
            return new KernelFeatures(false, e.getMessage(), true, false, false, hugePageSizes);
        } catch (LinkageError e) {
            // JNA works, but the C library lacks what the bindings need (another OS or C library).
            return new KernelFeatures(false, "native calls are unavailable (the C library could not be bound): " + e,
                    true, false, false, hugePageSizes);
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
