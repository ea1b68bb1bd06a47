package io.memfd.internal;

import com.sun.jna.Native;

/**
 * Whether JNA's native stub, {@code libjnidispatch}, loads. Every native call goes through it. JNA takes it from
 * {@code jna.boot.library.path} if set, else extracts it from its jar into {@code jna.tmpdir}, else into
 * {@code ~/.cache/JNA/temp} (from {@code user.home}), else into {@code java.io.tmpdir}, and loads it from there; a
 * read-only root file system or a {@code noexec} /tmp defeats that, and then nothing native works.
 */
public final class JnaDispatch {

    private JnaDispatch() {
    }

    /**
     * Why native calls cannot work here (the stub does not load, with the two fixes; or a 32-bit JVM), or {@code null}
     * when they can. The first use of JNA
     * reports JNA's own error; later uses see only "Could not initialize class", so the original is taken from the
     * cause chain.
     */
    public static String problem() {
        try {
            // Native's static initializer loads the stub and then computes this field: reading it forces the load.
            int pointerSize = Native.POINTER_SIZE;
            return pointerSize == Long.BYTES ? null
                    : "memfd needs a 64-bit JVM; this one has " + pointerSize + "-byte pointers";
        } catch (LinkageError e) {
            if (isNativeAccessDenied(e)) {
                return "native access is denied to JNA (" + rootMessage(e) + "); enable it with"
                        + " --enable-native-access=ALL-UNNAMED (com.sun.jna on the module path), or with"
                        + " Enable-Native-Access: ALL-UNNAMED in the manifest of the executable jar";
            }
            if (rootCause(e) instanceof ClassNotFoundException) {
                return "JNA is not on the class path (" + rootMessage(e) + "); add net.java.dev.jna:jna, which"
                        + " memfd-core needs on Java 17 to 21 and wherever -Dio.memfd.native=jna forces it";
            }
            return "JNA could not load its native library libjnidispatch (" + rootMessage(e) + "); give it a"
                    + " writable directory that allows executables with -Djna.tmpdir=DIR, or a copy of"
                    + " libjnidispatch.so with -Djna.boot.library.path=DIR";
        }
    }

    /**
     * Whether the JVM refused JNA's loading of its stub ({@code --illegal-native-access=deny}, Java 24+): an
     * {@code IllegalCallerException}, or after the first failure only its name in the message of the cause.
     */
    private static boolean isNativeAccessDenied(Throwable failure) {
        Throwable root = rootCause(failure);
        return root instanceof IllegalCallerException
                || String.valueOf(root.getMessage()).contains("java.lang.IllegalCallerException");
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = rootCause(failure);
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }
}
