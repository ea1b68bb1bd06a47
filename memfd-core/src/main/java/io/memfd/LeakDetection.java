package io.memfd;

/**
 * What happens when a memfd becomes unreachable without {@link MemFd#close()}. Its descriptor is always closed by a
 * {@link java.lang.ref.Cleaner} and counted as leaked; this decides how loudly.
 */
public enum LeakDetection {

    /** Close and count the leak; report nothing. */
    NONE,

    /** Report each leak to the {@link LeakListener} with the buffer's name, size, seals and age. */
    REPORT,

    /**
     * Also record where each memfd was created, and pass it with the report. Costs a stack trace per creation, so
     * use it to hunt a leak, not in production.
     */
    TRACE
}
