package io.memfd.ipc;

import io.memfd.MemFd;

/**
 * One message a {@link MemFdServer} received and checked: the application's header, the memfd that came with it and
 * the sender's credentials.
 *
 * <p>The buffer belongs to the server, which closes it after the handler returns: the common case (map or read,
 * answer, forget) needs no cleanup and cannot leak. A handler that wants the buffer longer takes it with
 * {@link #keepBuffer()} and closes it itself. A mapping stays valid after the buffer is closed either way.
 */
public final class MemFdRequest {

    private final byte[] header;
    private final MemFd buffer;
    private final long bufferSize;
    private final PeerCredentials peer;
    private boolean kept;

    MemFdRequest(byte[] header, MemFd buffer, long bufferSize, PeerCredentials peer) {
        this.header = header;
        this.buffer = buffer;
        this.bufferSize = bufferSize;
        this.peer = peer;
    }

    /** The application's header bytes, as the client sent them (without the wire format's version byte). */
    public byte[] header() {
        return header;
    }

    /** Whether a memfd came with the message; always true unless the server was built not to require one. */
    public boolean hasBuffer() {
        return buffer != null;
    }

    /**
     * The memfd, checked: it is a memfd, it carries the server's required seals and fits its size limit. Adopted
     * through the server's {@code MemFdFactory}, if it has one, so the factory's registry lists it.
     *
     * @throws IllegalStateException if the message carried none (see {@link #hasBuffer()})
     */
    public MemFd buffer() {
        if (buffer == null) {
            throw new IllegalStateException("This message carried no memfd");
        }
        return buffer;
    }

    /** Who sent the message, as the kernel recorded it when the connection was made. */
    public PeerCredentials peer() {
        return peer;
    }

    /**
     * Takes the buffer out of the server's hands: the server will not close it, the caller must.
     *
     * @throws IllegalStateException if the message carried none
     */
    public MemFd keepBuffer() {
        MemFd kept = buffer();
        this.kept = true;
        return kept;
    }

    /** The buffer's size on arrival, or -1 without a buffer. */
    long bufferSize() {
        return bufferSize;
    }

    /** Closes the buffer unless the handler kept it. */
    void release() {
        if (buffer != null && !kept) {
            buffer.close();
        }
    }
}
