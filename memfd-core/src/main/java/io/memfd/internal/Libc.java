package io.memfd.internal;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import io.memfd.MemFdException;
import io.memfd.OutOfDescriptorsException;

/**
 * The C library every binding in this package registers against, and the errno translation they share when no
 * operation-specific meaning applies.
 *
 * <p>Bindings use JNA direct mapping ({@code Native.register}) for speed, {@code long} for {@code size_t},
 * {@code off_t} and pointers (this library supports 64-bit Linux only), and {@code throws LastErrorException} so
 * that a failing call carries its errno. A few of the C functions ({@code fcntl}) are variadic; calling them with
 * integer arguments through a fixed signature is correct on the x86_64 and aarch64 Linux ABIs.
 */
final class Libc {

    static final NativeLibrary LIBRARY = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);

    private Libc() {
    }

    /**
     * An exception for an errno that has no more specific meaning for the operation; running out of descriptors, which
     * any call that makes one can meet, is typed.
     */
    static MemFdException failure(String operation, String name, int fd, int errno) {
        if (errno == Errno.EMFILE.code() || errno == Errno.ENFILE.code()) {
            return new OutOfDescriptorsException(operation, name, fd, Errno.meaning(errno), errno);
        }
        return new MemFdException(operation, name, fd, Errno.meaning(errno), errno);
    }
}
