/**
 * memfd-core: Linux {@code memfd_create(2)} and file seals for plain Java ({@link io.memfd}), and zero-copy hand-off
 * of sealed memfds between processes over Unix domain sockets ({@link io.memfd.ipc}). {@code io.memfd.internal},
 * the native calls both packages share, is not exported.
 *
 * <p>Native calls go through JNA ({@code com.sun.jna}, JNA's automatic module name), which is therefore required. On
 * the module path, native access is granted per module: {@code --enable-native-access=io.memfd.core,com.sun.jna}
 * keeps Java 22+ from warning about it.
 */
module io.memfd.core {
    requires com.sun.jna;

    exports io.memfd;
    exports io.memfd.ipc;
}
