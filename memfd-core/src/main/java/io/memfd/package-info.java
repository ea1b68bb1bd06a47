/**
 * Linux {@code memfd_create(2)} for Java: anonymous, memory-backed files that can be resized, read and written at any
 * position, mapped, sealed and passed to other processes as descriptors.
 *
 * <ul>
 * <li>{@link io.memfd.MemFd}: one memfd, created with {@link io.memfd.MemFd#create} and {@link io.memfd.MemFdOptions}
 * or adopted from a descriptor received from elsewhere ({@link io.memfd.MemFd#adopt}); its class comment says which
 * of its reading, writing and mapping methods to use when.
 * <li>{@link io.memfd.Seal}: the file seals ({@code F_ADD_SEALS}), which make a memfd safe to share with a process
 * that is not trusted: nobody, its creator included, can undo them.
 * <li>{@link io.memfd.MemFdFactory}: creates memfds for an application under limits (size, total size, count) that
 * hold against what the kernel really charges, with a {@link io.memfd.MemFdRegistry} of live buffers and leak
 * detection ({@link io.memfd.LeakDetection}).
 * <li>{@link io.memfd.MemFdException} and its subclasses: every failure, typed by meaning, with a message that names
 * the operation, the memfd and the cause.
 * </ul>
 *
 * <p>Mapping is SIGBUS-safe: a memfd is mapped only where nobody can shrink it under the mapping (see
 * {@link io.memfd.MemFd#mapReadOnly(long, long)}). Handing memfds to other processes is in {@link io.memfd.ipc}.
 */
package io.memfd;
