package io.memfd.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.memfd.internal.NativeCalls;

/**
 * The native seam ({@code io.memfd.internal.NativeCalls}) without the library around it: what one call costs through
 * each implementation, against the same calls in C ({@code bench/c/memfd_bench.c}: {@code geteuid},
 * {@code get_seals}, {@code create_write_seal}). Concrete in {@link JnaCallsBenchmark} and
 * {@code FfmCallsBenchmark} (Java 22+), so each runs in its own fork and its call sites see one implementation, as
 * in a process.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public abstract class NativeCallsBenchmark {

    private static final int SIZE = 4096;
    /** As the C peer: MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL. */
    private static final int CREATE_FLAGS = 0x1 | 0x2 | 0x8;
    /** WRITE, SHRINK, GROW, SEAL. */
    private static final int IMMUTABLE = 0x8 | 0x4 | 0x2 | 0x1;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_GET_SEALS = 1034;

    private NativeCalls calls;
    /** The name, then (page-aligned) the 4 KiB written. */
    private final ByteBuffer memory = ByteBuffer.allocateDirect(3 * SIZE).alignedSlice(SIZE);
    private long name;
    private long data;
    private int open;

    /** The implementation under test. */
    protected abstract NativeCalls calls();

    @Setup
    public void setUp() {
        calls = calls();
        memory.put(0, "bench\0".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < SIZE; i++) {
            memory.put(SIZE + i, (byte) 0x5a);
        }
        name = calls.address(memory);
        data = name + SIZE;
        open = check(calls.memfdCreate(name, CREATE_FLAGS));
    }

    @TearDown
    public void tearDown() {
        calls.close(open);
    }

    /** A trivial system call: the cost of a call itself (C: geteuid). */
    @Benchmark
    public int geteuid() {
        return calls.geteuid();
    }

    /** One F_GET_SEALS, errno captured (C: get_seals). */
    @Benchmark
    public int getSeals() {
        return check(calls.fcntl(open, F_GET_SEALS, 0));
    }

    /**
     * A call that fails (EBADF): what reading errno costs. With {@code throws LastErrorException}, as memfd-core's
     * bindings declare today, JNA would allocate an exception here. No C peer.
     */
    @Benchmark
    public int getSealsFailing() {
        return calls.fcntl(-1, F_GET_SEALS, 0);
    }

    /** memfd_create + pwrite 4 KiB + F_ADD_SEALS + close (C: create_write_seal). */
    @Benchmark
    public void createWriteSeal() {
        createWriteSeal(calls, name, data);
    }

    /**
     * The C peer's create_write_seal through {@code calls}: {@code name} is the address of a C string, {@code data}
     * of the 4 KiB to write. Also run by {@code SameProcessBench}.
     */
    static void createWriteSeal(NativeCalls calls, long name, long data) {
        int fd = check(calls.memfdCreate(name, CREATE_FLAGS));
        check((int) calls.pwrite(fd, data, SIZE, 0));
        check(calls.fcntl(fd, F_ADD_SEALS, IMMUTABLE));
        check(calls.close(fd));
    }

    private static int check(int result) {
        if (result < 0) {
            throw new IllegalStateException("errno " + -result);
        }
        return result;
    }
}
