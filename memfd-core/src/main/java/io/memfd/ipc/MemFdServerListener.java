package io.memfd.ipc;

/**
 * Hears the outcome of every message and refused connection of a {@link MemFdServer}, for metrics and audit logs.
 * Each message ends in exactly one call: {@link #accepted} when the handler returned, {@link #rejected} otherwise.
 * Calls come from the server's connection threads, concurrently; they must be quick and must not throw (an exception
 * is logged and ignored).
 */
public interface MemFdServerListener {

    /** A listener that ignores everything. */
    MemFdServerListener NONE = new MemFdServerListener() {
    };

    /**
     * The handler took a message and returned a reply.
     *
     * @param bufferSize the memfd's size in bytes, or -1 when the message carried none
     */
    default void accepted(PeerCredentials peer, long bufferSize) {
    }

    /**
     * A message or a connection was turned down, or the handler failed.
     *
     * @param detail what exactly was wrong, in plain words (not suited as a metric label; {@code reason} is)
     */
    default void rejected(PeerCredentials peer, RejectReason reason, String detail) {
    }
}
