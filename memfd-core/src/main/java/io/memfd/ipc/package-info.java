/**
 * Zero-copy hand-off of sealed memfds between processes over Unix domain sockets: a {@link io.memfd.ipc.MemFdServer}
 * receives, checks and hands buffers to a {@link io.memfd.ipc.MemFdHandler}; a {@link io.memfd.ipc.MemFdClient}
 * sends them. Only the descriptor crosses the socket ({@code SCM_RIGHTS}), so the cost of a hand-off does not depend on
 * the buffer's size, and both processes see the same file (the same inode).
 *
 * <h2>Wire format</h2>
 * Small enough for a peer in any language; the tests talk to Python's standard library.
 * <ul>
 * <li>The socket is a Unix domain socket of type {@code SOCK_SEQPACKET}: connection-oriented, and each message arrives
 * whole and alone, so no framing is needed.
 * <li>A request is one message: the version byte {@code 0x01}, then the application's header (at most the server's
 * payload limit, 64 KiB by default), with at most one memfd attached as {@code SCM_RIGHTS}.
 * <li>A reply is one message without descriptors: the status byte {@code 0x00} followed by the application's reply,
 * or {@code 0x01} followed by the UTF-8 text {@code REASON\ndetail}, where REASON is a
 * {@link io.memfd.ipc.RejectReason} name.
 * <li>A refused connection (wrong user, too many connections) gets one rejection message, then the server closes it.
 * <li>No message is ever empty: an empty message cannot be told apart from the end of the stream.
 * </ul>
 *
 * <p>In Python: {@code socket.send_fds(sock, [b"\x01" + header], [memfd])}, then {@code reply = sock.recv(65537)}.
 */
package io.memfd.ipc;
