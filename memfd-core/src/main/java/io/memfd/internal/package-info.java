/**
 * Native plumbing shared by {@link io.memfd} and {@link io.memfd.ipc}, and no API: the module does not export it, and
 * on the class path nothing here is meant for applications.
 *
 * <p>It holds what both packages need: the descriptor guard that makes a concurrent close safe
 * ({@link io.memfd.internal.FdHandle}), errno names and meanings ({@link io.memfd.internal.Errno}), pooled direct
 * buffers for native calls ({@link io.memfd.internal.NativeBuffers}), {@code statx(2)}, the {@code /proc/self/fd}
 * directory, and the native seam with its JNA and FFM implementations ({@link io.memfd.internal.NativeCalls},
 * {@link io.memfd.internal.NativeBackend}). The bindings that give an errno its meaning for one package live in that
 * package, package-private: {@code Fcntl}, {@code FileIo}, {@code MemfdCreate}... in {@code io.memfd};
 * {@code UnixSockets}, {@code SocketMessages}, {@code Poll} in {@code io.memfd.ipc}. This package imports neither, so
 * the packages form no cycle.
 */
package io.memfd.internal;
