package io.memfd.benchmarks;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
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

/**
 * Where an FFM downcall's errno goes ({@code captureCallState("errno")} needs a native segment per call): the
 * options for {@code io.memfd.internal.FfmCalls}, on {@code fcntl(F_GET_SEALS)}. Java 22+ (profile ffm).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ErrnoCaptureBenchmark {

    private static final int F_GET_SEALS = 1034;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemorySegment FCNTL = LINKER.defaultLookup().find("fcntl").orElseThrow();
    private static final FunctionDescriptor INT_INT_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT);
    private static final Linker.Option VARIADIC = Linker.Option.firstVariadicArg(2);
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE = Linker.Option.captureStateLayout();

    private static final MethodHandle PLAIN = LINKER.downcallHandle(FCNTL, INT_INT_INT, VARIADIC);
    private static final MethodHandle CAPTURING = LINKER.downcallHandle(FCNTL, INT_INT_INT, VARIADIC, ERRNO);
    private static final MethodHandle CAPTURING_CRITICAL = LINKER.downcallHandle(FCNTL, INT_INT_INT, VARIADIC, ERRNO,
            Linker.Option.critical(false));
    private static final ThreadLocal<MemorySegment> THREAD_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    private int fd;

    @Setup
    public void setUp() throws Throwable {
        MemorySegment name = Arena.global().allocateFrom("bench");
        fd = (int) LINKER.downcallHandle(LINKER.defaultLookup().find("memfd_create").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS, JAVA_INT))
                .invokeExact(name, 0x3);
    }

    @TearDown
    public void tearDown() throws Throwable {
        int ignored = (int) LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT)).invokeExact(fd);
    }

    /** The floor: no errno at all (a failure could not be explained). */
    @Benchmark
    public int noCapture() throws Throwable {
        return (int) PLAIN.invokeExact(fd, F_GET_SEALS, 0);
    }

    /** What FfmCalls does: one segment per thread, from a ThreadLocal. */
    @Benchmark
    public int threadLocalSegment() throws Throwable {
        MemorySegment state = THREAD_STATE.get();
        return errnoOrResult((int) CAPTURING.invokeExact(state, fd, F_GET_SEALS, 0), state);
    }

    /** The same through a critical handle (no thread-state transition; only for calls that cannot block). */
    @Benchmark
    public int threadLocalSegmentCritical() throws Throwable {
        MemorySegment state = THREAD_STATE.get();
        return errnoOrResult((int) CAPTURING_CRITICAL.invokeExact(state, fd, F_GET_SEALS, 0), state);
    }

    /** A segment per call from a confined arena, freed at once. */
    @Benchmark
    public int confinedArenaPerCall() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            return errnoOrResult((int) CAPTURING.invokeExact(state, fd, F_GET_SEALS, 0), state);
        }
    }

    /** What a thread's first call adds with the ThreadLocal: its segment, in an automatic arena. */
    @Benchmark
    public MemorySegment newThreadSegment() {
        return Arena.ofAuto().allocate(STATE);
    }

    private static int errnoOrResult(int result, MemorySegment state) {
        return result < 0 ? -state.get(JAVA_INT, 0) : result;
    }
}
