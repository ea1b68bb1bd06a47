package io.memfd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.StringJoiner;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import io.memfd.internal.Errno;
import io.memfd.internal.Libc;

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

    private static final boolean LIBC_HAS_SYMBOL = libcHasSymbol();

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
        if (!Platform.isLinux()) {
            throw new UnsupportedByKernelException("create", name, -1,
                    "memfd is a Linux feature and this is " + System.getProperty("os.name"), 0);
        }
        if ((flags & EXEC_FLAGS) == EXEC_FLAGS) {
            // The kernel refuses the pair; without this check the fallback would drop both and succeed.
            throw new IllegalArgumentException("MFD_EXEC and MFD_NOEXEC_SEAL exclude each other");
        }
        byte[] nameZ = validatedName(name);
        int withoutExec = flags & ~EXEC_FLAGS;
        if (withoutExec == flags || execFlagsUnknownToKernel) {
            return createOrThrow(name, nameZ, withoutExec);
        }
        try {
            return rawCreate(nameZ, flags);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EINVAL.code()) {
                throw createFailed(name, flags, e.getErrorCode());
            }
        }
        // EINVAL: either the kernel predates the exec flags, or another flag is wrong (a huge page size the kernel
        // does not offer). Only a success without the exec flag proves the former.
        int fd = createOrThrow(name, nameZ, withoutExec);
        execFlagsUnknownToKernel = true;
        return fd;
    }

    /** Whether this process has found that the kernel rejects {@code MFD_NOEXEC_SEAL} and {@code MFD_EXEC}. */
    static boolean execFlagsUnknownToKernel() {
        return execFlagsUnknownToKernel;
    }

    /** Creates through {@code syscall(2)} even where the C library has the symbol, so that path can be tested. */
    static int createViaSyscall(String name, int flags) {
        try {
            return Syscall.memfdCreate(validatedName(name), flags);
        } catch (LastErrorException e) {
            throw createFailed(name, flags, e.getErrorCode());
        }
    }

    /** Whether the C library exports {@code memfd_create}, so no raw system call is needed. */
    static boolean libcHasSymbol() {
        try {
            Libc.LIBRARY.getFunction("memfd_create");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    private static int createOrThrow(String name, byte[] nameZ, int flags) {
        try {
            return rawCreate(nameZ, flags);
        } catch (LastErrorException e) {
            throw createFailed(name, flags, e.getErrorCode());
        }
    }

    private static int rawCreate(byte[] nameZ, int flags) {
        return LIBC_HAS_SYMBOL ? LibcSymbol.memfd_create(nameZ, flags) : Syscall.memfdCreate(nameZ, flags);
    }

    /**
     * What is wrong with a memfd name, or {@code null} when it is acceptable: at most {@link #MAX_NAME_BYTES} bytes of
     * UTF-8 (the kernel's limit), and no control character (NUL, which the kernel cannot take, and newlines, escapes
     * and the like, which would reach logs, {@code /proc} listings and lookups as they are).
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
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            return "it has " + bytes + " bytes in UTF-8; a memfd name may have at most " + MAX_NAME_BYTES + " bytes";
        }
        return null;
    }

    /** The name as the NUL-terminated UTF-8 bytes the kernel takes, once {@link #nameProblem} found nothing wrong. */
    private static byte[] validatedName(String name) {
        MemFd.checkName(name);
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
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
                return Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
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
                    "this kernel has no memfd_create (it needs Linux 3.17+), or a seccomp filter hides it", errno);
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

    /** The C library's own {@code memfd_create}, registered only where it exists. */
    private static final class LibcSymbol {
        static {
            Native.register(LibcSymbol.class, Libc.LIBRARY);
        }

        static native int memfd_create(byte[] name, int flags) throws LastErrorException;
    }

    /** {@code syscall(SYS_memfd_create, name, flags)}, for C libraries without the symbol. */
    private static final class Syscall {
        private interface SyscallLibrary extends Library {
            long syscall(long number, Object... args) throws LastErrorException;
        }

        private static final SyscallLibrary LIBRARY = Native.load(Platform.C_LIBRARY_NAME, SyscallLibrary.class);
        private static final long NUMBER = memfdCreateNumber();

        static int memfdCreate(byte[] nameZ, int flags) {
            return (int) LIBRARY.syscall(NUMBER, nameZ, flags);
        }

        private static long memfdCreateNumber() {
            switch (Platform.ARCH) {
                case "x86-64":
                    return 319;
                case "aarch64":
                case "riscv64":
                case "loongarch64":
                    return 279;
                case "ppc64le":
                case "ppc64":
                    return 360;
                case "s390x":
                    return 350;
                default:
                    throw new UnsupportedByKernelException("create", null, -1,
                            "memfd_create's system call number is not known for the architecture " + Platform.ARCH
                                    + ", and the C library has no memfd_create", 0);
            }
        }
    }
}
