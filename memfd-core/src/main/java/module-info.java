/**
 * memfd-core: Linux {@code memfd_create(2)} and file seals for plain Java ({@link io.memfd}), and zero-copy hand-off
 * of sealed memfds between processes over Unix domain sockets ({@link io.memfd.ipc}). {@code io.memfd.internal},
 * the native calls both packages share, is not exported.
 *
 * <p>JNA ({@code com.sun.jna}) is {@code requires static}: on Java 22+ the jar carries a Foreign Function &amp; Memory
 * backend that needs no JNA, so a module graph without JNA must resolve. On Java 17 to 21 (or with
 * {@code -Dio.memfd.native=jna}) every native call goes through JNA, so on the module path name it as a root:
 * {@code --add-modules com.sun.jna} (an application that has automatic modules, as a Spring Boot application has,
 * resolves it anyway). Native access is granted per module: {@code --enable-native-access=io.memfd.core} for the FFM
 * backend, {@code --enable-native-access=com.sun.jna} for JNA, keeps Java 22+ from warning about it.
 */
module io.memfd.core {
    requires static com.sun.jna;

    exports io.memfd;
    exports io.memfd.ipc;
}
