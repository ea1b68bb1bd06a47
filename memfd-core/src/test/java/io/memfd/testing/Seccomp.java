package io.memfd.testing;

import com.sun.jna.Memory;
import com.sun.jna.Platform;

/**
 * Makes the kernel itself refuse {@code memfd_create} on the calling thread, the way an old kernel, a container's
 * seccomp profile or a policy would: a seccomp filter answers matching calls with an errno. Only the calling thread
 * (and threads it starts later) are affected, and the filter can never be removed, so tests install it in a child
 * JVM or a thread of their own.
 */
public final class Seccomp {

    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_SET_SECCOMP = 22;
    private static final int SECCOMP_MODE_FILTER = 2;

    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JSET_K = 0x45;
    private static final short RET_K = 0x06;
    private static final int RET_ALLOW = 0x7fff0000;
    private static final int RET_ERRNO = 0x00050000;

    private static final int OFFSET_NR = 0;
    private static final int OFFSET_ARCH = 4;
    /** {@code seccomp_data.args[1]}, low 32 bits (little-endian): memfd_create's flags. */
    private static final int OFFSET_ARG1 = 24;

    private Seccomp() {
    }

    /** Whether this test can install filters here (x86_64 or aarch64 Linux). */
    public static boolean isSupported() {
        return Platform.isLinux() && (Platform.ARCH.equals("x86-64") || Platform.ARCH.equals("aarch64"));
    }

    /**
     * From now on, {@code memfd_create} calls of this thread whose flags share a bit with {@code flagMask} fail with
     * {@code errno}; with {@code flagMask} 0, every call fails.
     */
    public static void failMemfdCreate(int flagMask, int errno) {
        boolean x86 = Platform.ARCH.equals("x86-64");
        int arch = x86 ? 0xc000003e : 0xc00000b7;
        int memfdCreate = x86 ? 319 : 279;
        int[][] program = flagMask == 0
                ? new int[][] {
                    {LD_W_ABS, 0, 0, OFFSET_ARCH},
                    {JEQ_K, 0, 3, arch},
                    {LD_W_ABS, 0, 0, OFFSET_NR},
                    {JEQ_K, 0, 1, memfdCreate},
                    {RET_K, 0, 0, RET_ERRNO | errno},
                    {RET_K, 0, 0, RET_ALLOW}}
                : new int[][] {
                    {LD_W_ABS, 0, 0, OFFSET_ARCH},
                    {JEQ_K, 0, 5, arch},
                    {LD_W_ABS, 0, 0, OFFSET_NR},
                    {JEQ_K, 0, 3, memfdCreate},
                    {LD_W_ABS, 0, 0, OFFSET_ARG1},
                    {JSET_K, 0, 1, flagMask},
                    {RET_K, 0, 0, RET_ERRNO | errno},
                    {RET_K, 0, 0, RET_ALLOW}};
        install(program);
    }

    private static void install(int[][] program) {
        // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }
        Memory filters = new Memory(8L * program.length);
        for (int i = 0; i < program.length; i++) {
            filters.setShort(8L * i, (short) program[i][0]);
            filters.setByte(8L * i + 2, (byte) program[i][1]);
            filters.setByte(8L * i + 3, (byte) program[i][2]);
            filters.setInt(8L * i + 4, program[i][3]);
        }
        // struct sock_fprog { u16 len; struct sock_filter *filter; }
        Memory fprog = new Memory(16);
        fprog.clear();
        fprog.setShort(0, (short) program.length);
        fprog.setPointer(8, filters);
        TestLibc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        TestLibc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, com.sun.jna.Pointer.nativeValue(fprog), 0, 0);
        // The kernel copied the program; keep the memory alive until then.
        java.lang.ref.Reference.reachabilityFence(filters);
        java.lang.ref.Reference.reachabilityFence(fprog);
    }
}
