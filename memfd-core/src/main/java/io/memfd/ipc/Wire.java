package io.memfd.ipc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The wire format, small enough for a peer in any language (see the test resource {@code peer.py}):
 * <ul>
 * <li>a request is one {@code SOCK_SEQPACKET} message: the version byte {@code 0x01}, then the application's header
 * bytes; at most one memfd rides along as {@code SCM_RIGHTS};
 * <li>a reply is one message without descriptors: the status byte {@code 0x00} (OK) followed by the application's
 * reply, or {@code 0x01} (rejected) followed by the UTF-8 text {@code REASON\ndetail}, REASON being a
 * {@link RejectReason} name.
 * </ul>
 * No message is ever empty, because an empty message cannot be told apart from the end of the stream.
 */
final class Wire {

    static final byte VERSION = 1;
    static final byte OK = 0;
    static final byte REJECTED = 1;
    /** Room for the version or status byte. */
    static final int PREFIX_BYTES = 1;

    private Wire() {
    }

    static byte[] request(byte[] header) {
        return prefixed(VERSION, header);
    }

    static byte[] ok(byte[] reply) {
        return prefixed(OK, reply);
    }

    static byte[] rejection(RejectReason reason, String detail) {
        return prefixed(REJECTED, (reason.name() + "\n" + detail).getBytes(StandardCharsets.UTF_8));
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
