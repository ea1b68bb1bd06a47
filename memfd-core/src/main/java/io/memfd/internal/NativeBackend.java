package io.memfd.internal;

import java.util.Locale;
import java.util.Optional;

/**
 * Which {@link NativeCalls} this process uses, chosen once: the Foreign Function &amp; Memory API on Java 22+, JNA on
 * Java 17 to 21 or where the system property {@value #PROPERTY} is {@code jna}. The FFM implementation lives only in
 * the jar's {@code META-INF/versions/22} (the jar is multi-release), so it is found by name; a jar built by a JDK
 * older than 22 has none, and then JNA serves. On the FFM path no JNA class is loaded, so JNA's native stub, which it
 * extracts to a file at first use and which cannot load from a noexec or read-only file system, is never needed.
 */
public final class NativeBackend {

    /** The system property that forces a backend: {@code ffm} or {@code jna}; unset, the best available. */
    public static final String PROPERTY = "io.memfd.native";

    private static final String FFM_CLASS = "io.memfd.internal.FfmCalls";
    private static final int FFM_RELEASE = 22;

    private static final Choice CHOICE = choose(System.getProperty(PROPERTY), Runtime.version().feature());

    static {
        System.getLogger(NativeBackend.class.getName()).log(System.Logger.Level.DEBUG,
                "memfd native backend: " + CHOICE.calls().name() + " (" + CHOICE.reason() + ")");
    }

    private NativeBackend() {
    }

    /** The calls every binding of this library goes through. */
    public static NativeCalls calls() {
        return CHOICE.calls();
    }

    /** {@code "ffm"} or {@code "jna"}: for health details and diagnostics. */
    public static String name() {
        return CHOICE.calls().name();
    }

    /**
     * Why {@link #name()} is what it is, in plain words: e.g. {@code "Java 25"},
     * {@code "forced by -Dio.memfd.native=jna"}.
     */
    public static String reason() {
        return CHOICE.reason();
    }

    /**
     * Why native calls cannot work in this process, in plain words with the fix, or {@code null} when they can. Only
     * JNA can fail after the choice: it loads a native stub at its first use ({@link JnaDispatch}); the FFM backend
     * was started when it was chosen.
     */
    public static String problem() {
        return CHOICE.calls() instanceof JnaCalls ? JnaDispatch.problem() : null;
    }

    /** The JNA implementation, whatever was chosen: for tests and benchmarks that compare the two. */
    public static NativeCalls jna() {
        return new JnaCalls();
    }

    /** The FFM implementation where this runtime and this jar have it: for tests and benchmarks. */
    public static Optional<NativeCalls> ffm() {
        try {
            return Optional.of(loadFfm());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The choice for a property value and a Java feature release. */
    static Choice choose(String property, int javaRelease) {
        String forced = property == null ? "" : property.trim().toLowerCase(Locale.ROOT);
        switch (forced) {
            case "jna":
                return new Choice(new JnaCalls(), "forced by -D" + PROPERTY + "=jna");
            case "":
            case "ffm":
                break;
            default:
                throw new IllegalStateException("The system property " + PROPERTY + " is \"" + property
                        + "\"; it may be \"ffm\" or \"jna\", or unset to use the best available");
        }
        String unavailable;
        if (javaRelease < FFM_RELEASE) {
            unavailable = "Java " + javaRelease + " has no Foreign Function & Memory API (it needs Java "
                    + FFM_RELEASE + "+)";
        } else {
            try {
                return new Choice(loadFfm(), forced.isEmpty() ? "Java " + javaRelease : "forced by -D" + PROPERTY
                        + "=ffm");
            } catch (ClassNotFoundException e) {
                unavailable = "this memfd-core jar was built without its FFM part (built by a JDK older than "
                        + FFM_RELEASE + ", or used from a directory of classes rather than the multi-release jar)";
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // E.g. IllegalCallerException: native access is denied to this code (--illegal-native-access=deny).
                Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
                unavailable = "the FFM backend could not start: " + cause;
            }
        }
        if (!forced.isEmpty()) {
            throw new IllegalStateException("The system property " + PROPERTY + "=ffm asks for the Foreign Function"
                    + " & Memory backend, but " + unavailable);
        }
        return new Choice(new JnaCalls(), unavailable);
    }

    private static NativeCalls loadFfm() throws ReflectiveOperationException {
        if (Runtime.version().feature() < FFM_RELEASE) {
            throw new UnsupportedOperationException("no FFM before Java " + FFM_RELEASE);
        }
        Class<?> type = Class.forName(FFM_CLASS, true, NativeBackend.class.getClassLoader());
        return type.asSubclass(NativeCalls.class).getDeclaredConstructor().newInstance();
    }

    /**
     * {@code SYS_memfd_create} on this architecture ({@code os.arch}), or -1 where it is not known: for C libraries
     * without the {@code memfd_create} symbol.
     */
    static long memfdCreateSyscallNumber() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 319;
            case "aarch64", "riscv64", "loongarch64" -> 279;
            case "ppc64le", "ppc64" -> 360;
            case "s390x" -> 350;
            default -> -1;
        };
    }

    /** A backend and why it was chosen. */
    record Choice(NativeCalls calls, String reason) {
    }
}
