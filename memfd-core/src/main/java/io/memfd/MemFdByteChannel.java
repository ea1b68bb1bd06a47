package io.memfd;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A seekable channel with its own position over a {@link MemFd}; reads and writes go through the memfd's positional
 * methods, so seals and factory limits apply. Closing it leaves the memfd open.
 */
final class MemFdByteChannel implements SeekableByteChannel {

    private final MemFd memfd;
    private long position;
    private boolean open = true;

    MemFdByteChannel(MemFd memfd, long position) {
        this.memfd = memfd;
        this.position = position;
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws ClosedChannelException {
        ensureOpen();
        int read = memfd.read(position, dst);
        if (read > 0) {
            position += read;
        }
        return read;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws ClosedChannelException {
        ensureOpen();
        int written = memfd.write(position, src);
        position += written;
        return written;
    }

    @Override
    public synchronized long position() throws ClosedChannelException {
        ensureOpen();
        return position;
    }

    @Override
    public synchronized MemFdByteChannel position(long newPosition) throws ClosedChannelException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("The position must not be negative: " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public synchronized long size() throws ClosedChannelException {
        ensureOpen();
        return memfd.size();
    }

    /** Shrinks the file to {@code size} if it is larger; a larger {@code size} leaves it as it is. */
    @Override
    public synchronized MemFdByteChannel truncate(long size) throws ClosedChannelException {
        ensureOpen();
        if (size < 0) {
            throw new IllegalArgumentException("The size must not be negative: " + size);
        }
        if (size < memfd.size()) {
            memfd.resize(size);
        }
        position = Math.min(position, size);
        return this;
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() {
        open = false;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
