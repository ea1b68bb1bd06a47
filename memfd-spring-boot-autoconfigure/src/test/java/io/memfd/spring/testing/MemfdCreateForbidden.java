package io.memfd.spring.testing;

import java.util.concurrent.Callable;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Makes {@code memfd_create(2)} fail with {@code EPERM} for one thread, through a seccomp filter that the kernel
 * enforces, as a container's seccomp profile would: an honest "memfd is forbidden here" for tests. The filter binds the
 * thread that installs it and the threads it starts afterwards, for their lifetime; nothing else in the JVM.
 */
public final class MemfdCreateForbidden {

    private static final int PR_SET_SECCOMP = 22;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int SECCOMP_MODE_FILTER = 2;

    private static final short BPF_LD_W_ABS = 0x20;
    private static final short BPF_JMP_JEQ_K = 0x15;
    private static final short BPF_RET_K = 0x06;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;

    /** Offsets in {@code struct seccomp_data}. */
    private static final int NR_OFFSET = 0;
    private static final int ARCH_OFFSET = 4;

    private MemfdCreateForbidden() {
    }

    /** Runs {@code action} on a new thread on which {@code memfd_create} is forbidden, and returns its result. */
    public static <T> T call(Callable<T> action) throws Exception {
        Object[] outcome = new Object[2];
        Thread thread = new Thread(() -> {
            try {
                onThisThread();
                outcome[0] = action.call();
            } catch (Throwable e) {
                outcome[1] = e;
            }
        }, "memfd-forbidden");
        thread.start();
        thread.join();
        if (outcome[1] instanceof Exception) {
            throw (Exception) outcome[1];
        }
        if (outcome[1] instanceof Error) {
            throw (Error) outcome[1];
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome[0];
        return result;
    }

    /** Forbids {@code memfd_create} for the calling thread, irrevocably. */
    public static void onThisThread() {
        int[] arch = auditArchAndSyscall();
        long[][] program = {
            { BPF_LD_W_ABS, 0, 0, ARCH_OFFSET },
            { BPF_JMP_JEQ_K, 0, 3, arch[0] },          // another ABI: allow
            { BPF_LD_W_ABS, 0, 0, NR_OFFSET },
            { BPF_JMP_JEQ_K, 0, 1, arch[1] },
            { BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM },
            { BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW },
        };
        // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }
        Memory filter = new Memory(8L * program.length);
        for (int i = 0; i < program.length; i++) {
            filter.setShort(8L * i, (short) program[i][0]);
            filter.setByte(8L * i + 2, (byte) program[i][1]);
            filter.setByte(8L * i + 3, (byte) program[i][2]);
            filter.setInt(8L * i + 4, (int) program[i][3]);
        }
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; } on a 64-bit ABI
        Memory fprog = new Memory(16);
        fprog.clear();
        fprog.setShort(0, (short) program.length);
        fprog.setPointer(8, filter);
        // Without CAP_SYS_ADMIN, the kernel accepts a filter only from a thread that can gain no privileges.
        Prctl.C.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        Prctl.C.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, Pointer.nativeValue(fprog), 0, 0);
    }

    /** {@code AUDIT_ARCH_*} and the {@code memfd_create} number of this JVM's ABI. */
    private static int[] auditArchAndSyscall() {
        if (Platform.isIntel() && Platform.is64Bit()) {
            return new int[] { 0xC000003E, 319 };
        }
        if (Platform.isARM() && Platform.is64Bit()) {
            return new int[] { 0xC00000B7, 279 };
        }
        throw new IllegalStateException("No seccomp filter for the architecture " + Platform.ARCH);
    }

    private interface Prctl extends Library {
        Prctl C = Native.load(Platform.C_LIBRARY_NAME, Prctl.class);

        int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;
    }
}
