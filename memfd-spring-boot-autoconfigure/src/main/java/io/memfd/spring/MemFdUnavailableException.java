package io.memfd.spring;

/**
 * {@code memfd.enabled} is true, but this process cannot create memfds: another OS, a kernel older than 3.17, or a
 * seccomp profile or security module that forbids {@code memfd_create(2)}. Start-up fails with a report that says what
 * to do.
 */
public class MemFdUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String problem;

    /** @param problem why memfds cannot be created, in plain words, as {@link io.memfd.KernelFeatures} reports it */
    public MemFdUnavailableException(String problem) {
        super("memfd.enabled is true, but this process cannot create memfds: " + problem);
        this.problem = problem;
    }

    /** Why memfds cannot be created. */
    public String getProblem() {
        return this.problem;
    }
}
