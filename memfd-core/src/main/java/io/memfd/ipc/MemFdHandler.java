package io.memfd.ipc;

/**
 * The application's side of a {@link MemFdServer}: takes one message that passed every check and returns the reply.
 *
 * <pre>{@code
 * MemFdHandler handler = request -> {
 *     ByteBuffer data = request.buffer().mapReadOnly();   // safe: the server required SHRINK
 *     return ("got " + data.remaining() + " bytes").getBytes(UTF_8);
 * };
 * }</pre>
 *
 * Calls for one connection come one after another; calls for different connections run concurrently, so a handler
 * must be thread-safe. A handler that throws makes the client see {@link RejectReason#HANDLER_FAILED}; the server logs
 * the exception and keeps serving.
 */
@FunctionalInterface
public interface MemFdHandler {

    /**
     * @param request the header, the buffer and who sent it; the server closes the buffer after this returns, unless
     *        the handler {@linkplain MemFdRequest#keepBuffer() keeps} it
     * @return the reply payload for the client ({@code null} for none), at most the server's payload limit
     */
    byte[] handle(MemFdRequest request) throws Exception;
}
