package io.memfd.ipc;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.memfd.BudgetExceededException;
import io.memfd.InvalidNameException;
import io.memfd.MemFd;
import io.memfd.MemFdException;
import io.memfd.MemFdFactory;
import io.memfd.MissingSealsException;
import io.memfd.Seal;
import io.memfd.SizeLimitExceededException;
import io.memfd.internal.FdHandle;

/**
 * What a {@link MemFdServer} lets through: the users it serves, and the messages it hands to its handler. Every check
 * that does not depend on the server's running state lives here, so that each reason to turn a peer or a message down
 * can be tried without a socket or a peer process.
 */
final class MessageAdmission {

    private final Set<Seal> requiredSeals;
    private final long maxBufferSize;
    private final int maxPayloadSize;
    private final Set<Long> allowedUids;
    private final boolean bufferRequired;
    private final MemFdFactory factory;

    MessageAdmission(Set<Seal> requiredSeals, long maxBufferSize, int maxPayloadSize, Set<Long> allowedUids,
            boolean bufferRequired, MemFdFactory factory) {
        this.requiredSeals = Collections.unmodifiableSet(EnumSet.copyOf(requiredSeals));
        this.maxBufferSize = maxBufferSize;
        this.maxPayloadSize = maxPayloadSize;
        this.allowedUids = Collections.unmodifiableSet(new LinkedHashSet<>(allowedUids));
        this.bufferRequired = bufferRequired;
        this.factory = factory;
    }

    /**
     * Checks the user a connection comes from.
     *
     * @throws Rejection with {@link RejectReason#PEER_NOT_ALLOWED} if the server does not serve that user
     */
    void checkPeer(PeerCredentials peer) {
        if (!allowedUids.contains(peer.uid())) {
            throw new Rejection(RejectReason.PEER_NOT_ALLOWED, "uid " + peer.uid() + " may not use this server");
        }
    }

    /**
     * Checks a message in order: control data complete, one descriptor at most, header within the limit and in the
     * wire format, a buffer present where required; then the buffer itself: a memfd, the required seals, the size.
     * A rejected message's descriptors are all closed before this throws.
     *
     * @return the request for the handler, which owns the buffer from then on
     * @throws Rejection if the message is turned down
     */
    MemFdRequest admit(SocketMessages.Received message, PeerCredentials peer) {
        Rejection rejection = messageProblem(message);
        if (rejection != null) {
            message.closeFds();
            throw rejection;
        }
        byte[] header = Wire.header(message.payload());
        if (message.fds().isEmpty()) {
            return new MemFdRequest(header, null, -1, peer);
        }
        MemFd buffer = adopt(message.fds().get(0));
        try {
            long size = buffer.size();
            if (size > maxBufferSize) {
                throw new Rejection(RejectReason.BUFFER_TOO_LARGE, "memfd '" + buffer.name() + "' has " + size
                        + " bytes; the server accepts " + maxBufferSize + " at most");
            }
            return new MemFdRequest(header, buffer, size, peer);
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
    }

    /** Whether a reply of this many bytes fits the payload limit. */
    boolean fitsPayload(int length) {
        return length <= maxPayloadSize;
    }

    /** What is wrong with the message apart from its buffer, or {@code null}. */
    private Rejection messageProblem(SocketMessages.Received message) {
        List<FdHandle> fds = message.fds();
        if (message.controlTruncated() && fds.size() < SocketMessages.MAX_RECEIVED_FDS) {
            // There was room for more: the kernel could not install a descriptor in this process.
            return new Rejection(RejectReason.OUT_OF_DESCRIPTORS, "the server's process has no descriptor left for"
                    + " the one the message carried (EMFILE or ENFILE); try again later");
        }
        if (message.controlTruncated()) {
            return new Rejection(RejectReason.CONTROL_TRUNCATED, "more descriptors than the "
                    + SocketMessages.MAX_RECEIVED_FDS + " a message may carry; the kernel dropped the surplus");
        }
        if (fds.size() > 1) {
            return new Rejection(RejectReason.TOO_MANY_FDS, fds.size()
                    + " descriptors; a message carries one buffer at most");
        }
        if (message.payloadTruncated() || message.payload().length - Wire.PREFIX_BYTES > maxPayloadSize) {
            return new Rejection(RejectReason.HEADER_TOO_LARGE, "the header exceeds the server's limit of "
                    + maxPayloadSize + " bytes");
        }
        if (!Wire.isRequest(message.payload())) {
            return new Rejection(RejectReason.MALFORMED, "a request starts with the version byte " + Wire.VERSION);
        }
        if (fds.isEmpty() && bufferRequired) {
            return new Rejection(RejectReason.NO_BUFFER, "the message carried no memfd");
        }
        return null;
    }

    /** Takes the descriptor as a memfd carrying the required seals, or closes it. */
    private MemFd adopt(FdHandle fd) {
        int number = fd.transfer();
        try {
            return factory == null ? MemFd.adopt(number, requiredSeals) : factory.adopt(number, requiredSeals);
        } catch (InvalidNameException e) {
            throw new Rejection(RejectReason.INVALID_NAME, e.getMessage());
        } catch (MissingSealsException e) {
            throw new Rejection(RejectReason.MISSING_SEALS, e.getMessage());
        } catch (SizeLimitExceededException e) {
            throw new Rejection(RejectReason.BUFFER_TOO_LARGE, e.getMessage());
        } catch (BudgetExceededException e) {
            throw new Rejection(RejectReason.OVER_BUDGET, e.getMessage());
        } catch (MemFdException e) {
            // NotMemFdException, or a descriptor whose type or seals could not even be read.
            throw new Rejection(RejectReason.NOT_MEMFD, e.getMessage());
        } catch (IllegalStateException e) {
            // Only a closed factory says this; it has closed the descriptor, as every rejecting adopt does.
            throw new Rejection(RejectReason.HANDLER_FAILED, "the server's MemFdFactory is closed");
        }
    }

    /** A peer or a message turned down: why, in a word and in a sentence. */
    static final class Rejection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final RejectReason reason;
        final String detail;

        Rejection(RejectReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
            this.detail = detail;
        }
    }
}
