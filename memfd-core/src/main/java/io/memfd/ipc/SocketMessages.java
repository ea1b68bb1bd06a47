package io.memfd.ipc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.memfd.internal.Errno;
import io.memfd.internal.FdHandle;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeBuffers;
import io.memfd.internal.NativeCalls;

/**
 * Messages on a Unix socket: {@code sendmsg} and {@code recvmsg} with at most one descriptor attached
 * ({@code SCM_RIGHTS}). Sending never waits ({@code MSG_DONTWAIT}); the caller waits with {@link Poll}. Receiving
 * waits or not, as the caller asks: a waiting receive ends with a message, at the socket's receive timeout
 * ({@code SO_RCVTIMEO}), or with the end of the stream once the connection is shut down, which is how another
 * thread ends the wait at once.
 *
 * <p>Receiving is where a peer can hurt this process, so it is strict: descriptors arrive close-on-exec
 * ({@code MSG_CMSG_CLOEXEC}, atomically, so a concurrent {@code fork+exec} never inherits one); every descriptor the
 * kernel installed is returned, owned by an {@link FdHandle}, including the surplus ones and those of a message whose
 * control data was truncated; and control messages of other kinds ({@code SCM_CREDENTIALS}) are skipped.
 */
final class SocketMessages {

    /** The most descriptors one received message may carry before the kernel truncates its control data. */
    static final int MAX_RECEIVED_FDS = 4;

    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;

    // struct msghdr on 64-bit Linux: name, namelen (+4 padding), iov, iovlen, control, controllen, flags (+4).
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int MSGHDR_BYTES = 56;
    // struct iovec: base, len.
    private static final int IOVEC = MSGHDR_BYTES;
    private static final int IOVEC_BYTES = 16;
    // struct cmsghdr on 64-bit Linux: len (size_t), level, type; the data follows at 16, each header 8-aligned.
    private static final int CMSG_LEVEL = 8;
    private static final int CMSG_TYPE = 12;
    private static final int CMSG_HEADER_BYTES = 16;
    private static final int CONTROL = IOVEC + IOVEC_BYTES;
    /** Room for the descriptors, and for one {@code SCM_CREDENTIALS} message should the socket receive those. */
    private static final int CONTROL_BYTES = space(MAX_RECEIVED_FDS * Integer.BYTES) + space(12);
    /** The {@code pollfd}s of a wait on the socket ({@link Poll.Fds}), then the payload. */
    private static final int POLL_FDS = CONTROL + CONTROL_BYTES;
    private static final int PAYLOAD = POLL_FDS + Poll.FDS_BYTES;

    private static final NativeCalls C = NativeBackend.calls();

    private SocketMessages() {
    }

    /** A message as received. */
    static final class Received {
        private final byte[] payload;
        private final List<FdHandle> fds;
        private final boolean payloadTruncated;
        private final boolean controlTruncated;

        /** A message as {@link #receive} returns it; public so that a receiver's checks can run without a socket. */
        public Received(byte[] payload, List<FdHandle> fds, boolean payloadTruncated, boolean controlTruncated) {
            this.payload = payload;
            this.fds = fds;
            this.payloadTruncated = payloadTruncated;
            this.controlTruncated = controlTruncated;
        }

        /** The payload, cut at the buffer's capacity when {@link #payloadTruncated()}. */
        public byte[] payload() {
            return payload;
        }

        /** Every descriptor the kernel installed for this message; the receiver owns them. */
        public List<FdHandle> fds() {
            return fds;
        }

        /** The payload was longer than the buffer; the rest was discarded ({@code MSG_TRUNC}). */
        public boolean payloadTruncated() {
            return payloadTruncated;
        }

        /** More descriptors came than the control buffer holds; the kernel closed the surplus ({@code MSG_CTRUNC}). */
        public boolean controlTruncated() {
            return controlTruncated;
        }

        /**
         * The end of the stream: the peer shut down or closed. An empty message looks the same, so the wire format
         * never sends one.
         */
        public boolean isEndOfStream() {
            return payload.length == 0 && fds.isEmpty() && !controlTruncated;
        }

        /** Closes every descriptor that came with the message. */
        public void closeFds() {
            for (FdHandle fd : fds) {
                fd.close();
            }
        }
    }

    /**
     * Native memory for one socket's messages: the {@code msghdr}, its {@code iovec}, the control data, the
     * {@code pollfd}s of a wait and the payload, in one block allocated once per connection, so that a message costs
     * no allocation. Used by one thread at a time.
     */
    static final class Buffer {
        private final ByteBuffer block;
        private final long address;
        private final int payloadCapacity;
        private final Poll.Fds pollFds;

        /** @param payloadCapacity the largest payload sent or received through this buffer */
        public Buffer(int payloadCapacity) {
            this.payloadCapacity = payloadCapacity;
            int size = PAYLOAD + payloadCapacity;
            this.block = ByteBuffer.allocateDirect(size + Long.BYTES).alignedSlice(Long.BYTES).limit(size).slice()
                    .order(ByteOrder.nativeOrder());
            this.address = NativeBuffers.address(block);
            this.pollFds = new Poll.Fds(block.slice(POLL_FDS, Poll.FDS_BYTES));
        }

        public int payloadCapacity() {
            return payloadCapacity;
        }

        /** Where a wait on this socket puts its {@code pollfd}s. */
        Poll.Fds pollFds() {
            return pollFds;
        }

        private void prepare(int payloadLength, int controlLength) {
            block.putLong(0, 0).putLong(8, 0);
            block.putLong(MSG_IOV, address + IOVEC).putLong(MSG_IOVLEN, 1);
            block.putLong(MSG_CONTROL, controlLength == 0 ? 0 : address + CONTROL)
                    .putLong(MSG_CONTROLLEN, controlLength);
            block.putLong(MSG_FLAGS, 0);
            block.putLong(IOVEC, address + PAYLOAD).putLong(IOVEC + 8, payloadLength);
        }
    }

    /**
     * Sends {@code payload} with {@code fd} attached, or no descriptor when {@code fd} is -1; the kernel passes a
     * reference to the open file, never its content, so this costs the same for any size. Returns false, sending
     * nothing, when the peer's queue is full.
     *
     * @throws io.memfd.ipc.ConnectionClosedException if the peer closed the connection
     */
    static boolean send(int socket, Path path, Buffer buffer, byte[] payload, int fd) {
        if (payload.length > buffer.payloadCapacity) {
            throw new IllegalArgumentException("A payload of " + payload.length + " bytes exceeds the "
                    + buffer.payloadCapacity + " bytes this connection sends");
        }
        ByteBuffer block = buffer.block;
        block.put(PAYLOAD, payload);
        int controlLength = 0;
        if (fd >= 0) {
            controlLength = space(Integer.BYTES);
            block.putLong(CONTROL, CMSG_HEADER_BYTES + Integer.BYTES).putInt(CONTROL + CMSG_LEVEL, SOL_SOCKET)
                    .putInt(CONTROL + CMSG_TYPE, SCM_RIGHTS).putInt(CONTROL + CMSG_HEADER_BYTES, fd)
                    .putInt(CONTROL + CMSG_HEADER_BYTES + Integer.BYTES, 0);
        }
        buffer.prepare(payload.length, controlLength);
        for (;;) {
            long sent = C.sendmsg(socket, buffer.address, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (sent >= 0) {
                return true;
            }
            int errno = (int) -sent;
            if (errno == Errno.EAGAIN.code()) {
                return false;
            }
            if (errno != Errno.EINTR.code()) {
                throw sendFailed(path, payload.length, fd, errno);
            }
        }
    }

    /**
     * Receives one message. Without {@code wait}, returns {@code null} when none is waiting; with it, waits for one on
     * a blocking socket and returns {@code null} when the socket's receive timeout passed first or a signal interrupted
     * the wait (retrying would restart the whole timeout; the caller knows how much of it is left). Descriptors that
     * came with the message are owned by the result, whatever else is wrong with it.
     */
    static Received receive(int socket, Path path, Buffer buffer, boolean wait) {
        buffer.prepare(buffer.payloadCapacity, CONTROL_BYTES);
        int receiveFlags = wait ? MSG_CMSG_CLOEXEC : MSG_DONTWAIT | MSG_CMSG_CLOEXEC;
        long length;
        boolean resetReported = false;
        for (;;) {
            length = C.recvmsg(socket, buffer.address, receiveFlags);
            if (length >= 0) {
                break;
            }
            int errno = (int) -length;
            if (errno == Errno.EAGAIN.code() || (wait && errno == Errno.EINTR.code())) {
                return null;
            }
            if (errno == Errno.ECONNRESET.code() && !resetReported) {
                // The peer closed with messages of ours unread. Linux reports that once, ahead of the messages the
                // peer sent before it closed (a server's reason for refusing us, say): those are still to be read.
                resetReported = true;
                continue;
            }
            if (errno != Errno.EINTR.code()) {
                throw UnixSockets.failure("receive a message", path, errno);
            }
        }
        ByteBuffer block = buffer.block;
        int flags = block.getInt(MSG_FLAGS);
        List<FdHandle> fds = receivedFds(block, (int) block.getLong(MSG_CONTROLLEN));
        byte[] payload = new byte[(int) length];
        block.get(PAYLOAD, payload);
        return new Received(payload, fds, (flags & MSG_TRUNC) != 0, (flags & MSG_CTRUNC) != 0);
    }

    /**
     * The descriptors in the control data the kernel wrote: every {@code SCM_RIGHTS} message in it, each header found
     * at the previous one's length rounded up to 8 bytes ({@code CMSG_NXTHDR}). Never throws: the descriptors are
     * installed in this process already, and must reach an owner.
     */
    private static List<FdHandle> receivedFds(ByteBuffer block, int controlLength) {
        List<FdHandle> fds = new ArrayList<>(1);
        int offset = 0;
        int end = Math.min(controlLength, CONTROL_BYTES);
        while (offset + CMSG_HEADER_BYTES <= end) {
            long length = block.getLong(CONTROL + offset);
            if (length < CMSG_HEADER_BYTES || length > end - offset) {
                break;
            }
            if (block.getInt(CONTROL + offset + CMSG_LEVEL) == SOL_SOCKET
                    && block.getInt(CONTROL + offset + CMSG_TYPE) == SCM_RIGHTS) {
                for (int at = CMSG_HEADER_BYTES; at + Integer.BYTES <= length; at += Integer.BYTES) {
                    fds.add(new FdHandle(block.getInt(CONTROL + offset + at)));
                }
            }
            offset += align((int) length);
        }
        return fds;
    }

    private static IpcException sendFailed(Path path, int length, int fd, int errno) {
        String operation = "send a message of " + length + " bytes" + (fd >= 0 ? " with descriptor " + fd : "");
        if (errno == Errno.EMSGSIZE.code()) {
            return new IpcException(operation, path, "the message is larger than the socket's send buffer", errno);
        }
        if (errno == Errno.EBADF.code() && fd >= 0) {
            return new IpcException(operation, path, "the descriptor to pass is not open", errno);
        }
        return UnixSockets.failure(operation, path, errno);
    }

    /** {@code CMSG_ALIGN}: control messages start at multiples of {@code sizeof(size_t)}. */
    private static int align(int length) {
        return (length + 7) & ~7;
    }

    /** {@code CMSG_SPACE}: the bytes a control message with {@code dataLength} bytes of data occupies. */
    private static int space(int dataLength) {
        return CMSG_HEADER_BYTES + align(dataLength);
    }
}
