package io.memfd;

/** Told of each memfd that became unreachable without {@link MemFd#close()}; called on the cleaner's thread. */
@FunctionalInterface
public interface LeakListener {

    /** Logs a warning through {@link System.Logger} (which Spring Boot routes to its logging system). */
    LeakListener LOG = (buffer, creationSite) -> System.getLogger(MemFd.class.getName()).log(
            System.Logger.Level.WARNING,
            "memfd '" + buffer.name() + "' (" + buffer.size() + " bytes, seals " + buffer.seals() + ", age "
                    + buffer.age() + ") was never closed; the garbage collector closed it. Close memfds with"
                    + " close() or try-with-resources"
                    + (creationSite == null ? " (LeakDetection.TRACE shows where it was created)" : ""),
            creationSite);

    /**
     * @param buffer the memfd as it was just before it was closed
     * @param creationSite where it was created, under {@link LeakDetection#TRACE}; otherwise {@code null}
     */
    void leaked(MemFdInfo buffer, Throwable creationSite);
}
