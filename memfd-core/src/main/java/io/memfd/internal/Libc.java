package io.memfd.internal;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The C library every JNA binding of this library registers against.
 *
 * <p>Bindings use JNA direct mapping ({@code Native.register}) for speed, {@code long} for {@code size_t},
 * {@code off_t} and pointers (this library supports 64-bit Linux only), and {@code throws LastErrorException} so
 * that a failing call carries its errno. A few of the C functions ({@code fcntl}) are variadic; calling them with
 * integer arguments through a fixed signature is correct on the x86_64 and aarch64 Linux ABIs. Each binding lives
 * beside the code that gives its errno a meaning: in {@code io.memfd} for memfds, in {@code io.memfd.ipc} for sockets.
 */
public final class Libc {

    public static final NativeLibrary LIBRARY = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);

    private Libc() {
    }
}
