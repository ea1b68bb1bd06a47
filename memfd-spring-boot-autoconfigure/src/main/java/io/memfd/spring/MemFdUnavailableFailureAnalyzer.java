package io.memfd.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a {@link MemFdUnavailableException}: what failed, and how to make memfd work or do without it. */
class MemFdUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<MemFdUnavailableException> {

    private static final String DO_WITHOUT = "Or, to start without memfd support, remove memfd.enabled=true (memfd"
            + " support then switches itself off where it cannot work) or set memfd.enabled=false.";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MemFdUnavailableException cause) {
        String description = "memfd.enabled is true, but this process cannot create memfds:\n\n    "
                + cause.getProblem();
        return new FailureAnalysis(description, action(), cause);
    }

    private static String action() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "memfd exists only on Linux: run the application on Linux 3.17 or later.\n" + DO_WITHOUT;
        }
        return "Let this process call memfd_create(2): it needs Linux 3.17 or later, and the seccomp profile (for"
                + " example the container runtime's), SELinux or AppArmor policy that denies it must allow it.\n"
                + DO_WITHOUT;
    }
}
