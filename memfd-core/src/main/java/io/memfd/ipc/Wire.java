package io.memfd.ipc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Encodes and decodes the wire format described in the package documentation. No message is ever empty, because an
 * empty message cannot be told apart from the end of the stream.
 */
final class Wire {

    static final byte VERSION = 1;
    static final byte OK = 0;
    static final byte REJECTED = 1;
    /** Room for the version or status byte. */
    static final int PREFIX_BYTES = 1;
    /** The longest rejection text; longer details are cut, so that a rejection fits any connection's buffer. */
    static final int MAX_REJECTION_BYTES = 1024;

    private Wire() {
    }

    static byte[] request(byte[] header) {
        return prefixed(VERSION, header);
    }

    static byte[] ok(byte[] reply) {
        return prefixed(OK, reply);
    }

    static byte[] rejection(RejectReason reason, String detail) {
        byte[] text = (reason.name() + "\n" + detail).getBytes(StandardCharsets.UTF_8);
        return prefixed(REJECTED, Arrays.copyOf(text, Math.min(text.length, MAX_REJECTION_BYTES)));
    }

    /** The message buffer a connection needs: room for any payload within {@code maxPayloadSize}, and any rejection. */
    static int capacity(int maxPayloadSize) {
        return PREFIX_BYTES + Math.max(maxPayloadSize, MAX_REJECTION_BYTES);
    }

    /** Whether {@code message} is a request this version understands. */
    static boolean isRequest(byte[] message) {
        return message.length >= PREFIX_BYTES && message[0] == VERSION;
    }

    /** The application's header of a request. */
    static byte[] header(byte[] request) {
        return Arrays.copyOfRange(request, PREFIX_BYTES, request.length);
    }

    /**
     * The application's reply in {@code reply}.
     *
     * @throws MessageRejectedException if the server rejected the request
     * @throws IpcException if the reply does not follow the wire format
     */
    static byte[] replyBody(byte[] reply, Path path, String operation) {
        if (reply.length >= PREFIX_BYTES && reply[0] == OK) {
            return Arrays.copyOfRange(reply, PREFIX_BYTES, reply.length);
        }
        if (reply.length >= PREFIX_BYTES && reply[0] == REJECTED) {
            String text = new String(reply, PREFIX_BYTES, reply.length - PREFIX_BYTES, StandardCharsets.UTF_8);
            int newline = text.indexOf('\n');
            RejectReason reason = reason(newline < 0 ? text : text.substring(0, newline));
            if (reason != null) {
                throw new MessageRejectedException(operation, path, reason, text.substring(newline + 1));
            }
        }
        throw new IpcException(operation, path, "the server's reply does not follow the wire format (status byte "
                + (reply.length == 0 ? "missing" : String.valueOf(reply[0])) + ")", 0);
    }

    private static RejectReason reason(String name) {
        for (RejectReason reason : RejectReason.values()) {
            if (reason.name().equals(name)) {
                return reason;
            }
        }
        return null;
    }

    private static byte[] prefixed(byte prefix, byte[] body) {
        byte[] message = new byte[PREFIX_BYTES + body.length];
        message[0] = prefix;
        System.arraycopy(body, 0, message, PREFIX_BYTES, body.length);
        return message;
    }
}
