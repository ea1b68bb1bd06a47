package io.memfd.ipc;

/**
 * Why a {@link MemFdServer} turned a message or a connection down. The set is small and stable on purpose, so that it
 * can label a metric; the details (sizes, seal sets, file types) travel in the message text instead. The client sees
 * the same reason in {@link MessageRejectedException#reason()}.
 */
public enum RejectReason {

    /** The connecting process runs as a user the server does not accept ({@code SO_PEERCRED}). */
    PEER_NOT_ALLOWED,

    /** The server already serves as many connections as it allows. */
    TOO_MANY_CONNECTIONS,

    /** The message does not follow the wire format (empty, or an unknown version byte). */
    MALFORMED,

    /** The message's header is larger than the server accepts. */
    HEADER_TOO_LARGE,

    /** The message carried more than one descriptor. All were closed. */
    TOO_MANY_FDS,

    /**
     * The message carried more descriptors than the receive buffer holds ({@code MSG_CTRUNC}); the kernel dropped the
     * surplus and the server closed the rest.
     */
    CONTROL_TRUNCATED,

    /**
     * The server's process had no descriptor left for the one the message carried ({@code EMFILE} or {@code ENFILE}),
     * so the kernel could not deliver it. Trying again later may work.
     */
    OUT_OF_DESCRIPTORS,

    /** The message carried no descriptor, and the server requires a buffer. */
    NO_BUFFER,

    /** The descriptor is not a memfd: a {@code /dev/shm} or regular file, a pipe, a socket, a directory... */
    NOT_MEMFD,

    /** The memfd's name has a control character (a newline, an escape...), which would reach logs and listings. */
    INVALID_NAME,

    /**
     * The memfd lacks seals the server requires (by default {@code SHRINK} and {@code GROW}, so that mapping it is safe
     * and its size stays what was checked).
     */
    MISSING_SEALS,

    /** The memfd is larger than the server accepts. */
    BUFFER_TOO_LARGE,

    /** Taking the memfd would pass the total budget, or the maximum count, of the server's {@code MemFdFactory}. */
    OVER_BUDGET,

    /**
     * The application failed to take the message: its handler threw (the exception is logged by the server, not sent
     * to the client), returned a reply over the payload limit, or its {@code MemFdFactory} was closed.
     */
    HANDLER_FAILED
}
