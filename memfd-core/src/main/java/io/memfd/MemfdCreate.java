package io.memfd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

import io.memfd.internal.Errno;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeBuffers;
import io.memfd.internal.NativeCalls;

/**
 * {@code memfd_create(2)}: through the C library's symbol where it has one (glibc 2.27+), through {@code syscall(2)}
 * otherwise; and the fallback for kernels older than 6.3, which reject {@code MFD_NOEXEC_SEAL} and {@code MFD_EXEC}.
 */
final class MemfdCreate {

    static final int MFD_CLOEXEC = 0x1;
    static final int MFD_ALLOW_SEALING = 0x2;
    static final int MFD_HUGETLB = 0x4;
    static final int MFD_NOEXEC_SEAL = 0x8;
    static final int MFD_EXEC = 0x10;
    static final int HUGETLB_SHIFT = 26;

    static final int MAX_NAME_BYTES = MemFd.MAX_NAME_BYTES;

    private static final int EXEC_FLAGS = MFD_NOEXEC_SEAL | MFD_EXEC;

    private static final NativeCalls C = NativeBackend.calls();
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

    /**
     * Set once this kernel answered {@code EINVAL} to an exec flag and accepted the same call without it: from then
     * on the flag is not tried again. A benign race: two first calls may both try it.
     */
    private static volatile boolean execFlagsUnknownToKernel;

    private MemfdCreate() {
    }

    /**
     * Creates a memfd and returns its descriptor. {@code flags} may carry one exec flag ({@code MFD_NOEXEC_SEAL} or
     * {@code MFD_EXEC}); where the kernel predates them ({@code EINVAL}) the call is repeated with every other flag
     * kept, and memfds are then executable as on every kernel before 6.3.
     */
    static int create(String name, int flags) {
        if (!LINUX) {
            throw new UnsupportedByKernelException("create", name, -1,
                    "memfd is a Linux feature and this is " + System.getProperty("os.name"), 0);
        }
        NativeCallsCheck.require("create", name);
        if ((flags & EXEC_FLAGS) == EXEC_FLAGS) {
            // The kernel refuses the pair; without this check the fallback would drop both and succeed.
            throw new IllegalArgumentException("MFD_EXEC and MFD_NOEXEC_SEAL exclude each other");
        }
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            long nameZ = nameZ(name, buffer);
            int withoutExec = flags & ~EXEC_FLAGS;
            if (withoutExec == flags || execFlagsUnknownToKernel) {
                return createOrThrow(name, nameZ, withoutExec);
            }
            int fd = C.memfdCreate(nameZ, flags);
            if (fd >= 0) {
                return fd;
            }
            if (fd != -Errno.EINVAL.code()) {
                throw createFailed(name, flags, -fd);
            }
            // EINVAL: either the kernel predates the exec flags, or another flag is wrong (a huge page size the
            // kernel does not offer). Only a success without the exec flag proves the former.
            fd = createOrThrow(name, nameZ, withoutExec);
            execFlagsUnknownToKernel = true;
            return fd;
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** Whether this process has found that the kernel rejects {@code MFD_NOEXEC_SEAL} and {@code MFD_EXEC}. */
    static boolean execFlagsUnknownToKernel() {
        return execFlagsUnknownToKernel;
    }

    /** Creates through {@code syscall(2)} even where the C library has the symbol, so that path can be tested. */
    static int createViaSyscall(String name, int flags) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            int fd = C.memfdCreateSyscall(nameZ(name, buffer), flags);
            if (fd < 0) {
                throw createFailed(name, flags, -fd);
            }
            return fd;
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** Whether the C library exports {@code memfd_create}, so no raw system call is needed. */
    static boolean libcHasSymbol() {
        return C.hasMemfdCreateSymbol();
    }

    private static int createOrThrow(String name, long nameZ, int flags) {
        int fd = C.memfdCreate(nameZ, flags);
        if (fd < 0) {
            throw createFailed(name, flags, -fd);
        }
        return fd;
    }

    /**
     * What is wrong with a memfd name, or {@code null} when it is acceptable: at most {@link #MAX_NAME_BYTES} bytes of
     * UTF-8 (the kernel's limit), no control character (NUL, which the kernel cannot take, and newlines, escapes and
     * the like, which would reach logs, {@code /proc} listings and lookups as they are), no bidirectional control
     * (which would make them show another name) and no unpaired surrogate (which has no UTF-8).
     */
    static String nameProblem(String name) {
        if (name == null) {
            return "it is null (the empty name \"\" is allowed)";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                return String.format("it contains %s control character (U+%04X) at index %d",
                        c == 0 ? "a NUL" : "a", (int) c, i);
            }
            if (isBidiControl(c)) {
                return String.format("it contains a bidirectional control character (U+%04X) at index %d, which"
                        + " would change how what follows it is shown", (int) c, i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format("it contains an unpaired surrogate (U+%04X) at index %d, which UTF-8 cannot"
                        + " encode", (int) c, i);
            }
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            return "it has " + bytes + " bytes in UTF-8; a memfd name may have at most " + MAX_NAME_BYTES + " bytes";
        }
        return null;
    }

    /**
     * The invisible marks that reorder the text around them (Unicode's bidirectional embeddings, overrides, isolates
     * and marks): in a name they make a listing or a log line show something else than the name ("Trojan Source").
     */
    private static boolean isBidiControl(char c) {
        return c == '\u061c' || c == '\u200e' || c == '\u200f' || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
    }

    /**
     * Writes the name as the kernel takes it (UTF-8, NUL-terminated) at the start of {@code buffer} once
     * {@link #nameProblem} finds nothing wrong, and returns its address. A printable ASCII name, as nearly every name
     * is, is checked and copied in one pass, with no array made for it: this runs for every memfd created.
     *
     * @throws IllegalArgumentException if the name is invalid
     */
    private static long nameZ(String name, NativeBuffers.Pooled buffer) {
        if (name != null && name.length() <= MAX_NAME_BYTES) {
            ByteBuffer memory = buffer.buffer();
            int length = name.length();
            int i = 0;
            for (; i < length; i++) {
                char c = name.charAt(i);
                if (c < ' ' || c >= 0x7f) {
                    break;
                }
                memory.put(i, (byte) c);
            }
            if (i == length) {
                memory.put(length, (byte) 0);
                return buffer.address();
            }
        }
        MemFd.checkName(name);
        return buffer.string(0, name.getBytes(StandardCharsets.UTF_8));
    }

    /** The name with control characters written as escapes, short enough for a message. */
    static String escaped(String name) {
        if (name == null) {
            return "null";
        }
        StringBuilder escaped = new StringBuilder();
        int i = 0;
        for (; i < name.length() && escaped.length() < 300; i++) {
            escaped.append(escaped(name.charAt(i)));
        }
        return i < name.length() ? escaped + "..." : escaped.toString();
    }

    private static String escaped(char c) {
        switch (c) {
            case '\0':
                return "\\0";
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                return Character.isISOControl(c) || isBidiControl(c) ? String.format("\\u%04x", (int) c)
                        : String.valueOf(c);
        }
    }

    private static MemFdException createFailed(String name, int flags, int errno) {
        String operation = "create with " + describeFlags(flags);
        boolean hugetlb = (flags & MFD_HUGETLB) != 0;
        if (errno == Errno.EINVAL.code()) {
            return new UnsupportedByKernelException(operation, name, -1, "the kernel does not know one of these flags"
                    + " (MFD_HUGETLB needs Linux 4.14+, MFD_NOEXEC_SEAL and MFD_EXEC need 6.3+)", errno);
        }
        if (errno == Errno.ENODEV.code() && hugetlb) {
            return new UnsupportedByKernelException(operation, name, -1, "the kernel does not offer this huge page"
                    + " size (the sizes it offers are listed in /sys/kernel/mm/hugepages)", errno);
        }
        if (errno == Errno.EACCES.code() && (flags & MFD_EXEC) != 0) {
            return new NotPermittedException(operation, name, -1, "executable memfds are forbidden by the"
                    + " vm.memfd_noexec=2 policy; create the memfd non-executable", errno);
        }
        if (errno == Errno.EPERM.code() || errno == Errno.EACCES.code()) {
            return new NotPermittedException(operation, name, -1, hugetlb
                    ? "hugetlb memfds need CAP_IPC_LOCK or membership of the vm.hugetlb_shm_group group,"
                            + " unless a seccomp filter or LSM denied memfd_create"
                    : "a seccomp filter or a security module (SELinux, AppArmor) denied memfd_create", errno);
        }
        if (errno == Errno.ENOSYS.code()) {
            return new UnsupportedByKernelException(operation, name, -1,
                    "this kernel has no memfd_create (it needs Linux 3.17+), or a seccomp filter hides it"
                            + (C.hasMemfdCreateSymbol() ? "" : ", or the C library has no memfd_create and its"
                                    + " system call number is not known for this architecture (" + System.getProperty(
                                            "os.arch") + ")"), errno);
        }
        return MemFdException.failure(operation, name, -1, errno);
    }

    /** The flags in the kernel's own words, e.g. {@code MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_HUGETLB(2MB)}. */
    static String describeFlags(int flags) {
        StringJoiner names = new StringJoiner("|");
        if ((flags & MFD_CLOEXEC) != 0) {
            names.add("MFD_CLOEXEC");
        }
        if ((flags & MFD_ALLOW_SEALING) != 0) {
            names.add("MFD_ALLOW_SEALING");
        }
        if ((flags & MFD_NOEXEC_SEAL) != 0) {
            names.add("MFD_NOEXEC_SEAL");
        }
        if ((flags & MFD_EXEC) != 0) {
            names.add("MFD_EXEC");
        }
        if ((flags & MFD_HUGETLB) != 0) {
            int log2 = flags >>> HUGETLB_SHIFT;
            names.add(log2 == 0 ? "MFD_HUGETLB" : "MFD_HUGETLB(" + hugePageLabel(log2) + ")");
        }
        return names.length() == 0 ? "no flags" : names.toString();
    }

    private static String hugePageLabel(int log2) {
        for (HugePageSize size : HugePageSize.values()) {
            if (size.log2() == log2) {
                return size.toString();
            }
        }
        return "2^" + log2 + " bytes";
    }
}
