package io.memfd.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
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

import io.memfd.MemFd;
import io.memfd.Seal;

/**
 * The life of a small sealed buffer through the public API, against its C peer ({@code create_write_seal} in
 * {@code bench/c/memfd_bench.c}) and against the usual alternative, a temporary file in {@code /dev/shm}. Every
 * benchmark creates and releases what it uses, so no state grows between invocations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CreateBenchmark {

    private static final int SIZE = 4096;
    private static final String NAME = "bench";
    private static final Path SHM = Path.of("/dev/shm");

    private final byte[] bytes = new byte[SIZE];
    private final ByteBuffer direct = ByteBuffer.allocateDirect(SIZE);
    private MemFd open;

    @Setup
    public void setUp() {
        Arrays.fill(bytes, (byte) 0x5a);
        direct.put(bytes).clear();
        open = MemFd.create(NAME);
    }

    @TearDown
    public void tearDown() {
        open.close();
    }

    /** Calibration: memfd_create + close, with the object, Cleaner and handle around them (C: create_close). */
    @Benchmark
    public void memfdCreateClose() {
        MemFd.create(NAME).close();
    }

    /** The sequence users write: create, write a byte[] (through the bounce buffer), seal, close. */
    @Benchmark
    public void memfdWriteHeapSeal() {
        try (MemFd memfd = MemFd.create(NAME)) {
            memfd.write(0, bytes);
            memfd.makeImmutable();
        }
    }

    /** The same from a direct buffer: pwrite straight from its memory, no copy. */
    @Benchmark
    public void memfdWriteDirectSeal() {
        try (MemFd memfd = MemFd.create(NAME)) {
            memfd.write(0, direct.clear());
            memfd.makeImmutable();
        }
    }

    /** Calibration: one F_GET_SEALS turned into an EnumSet (C: get_seals). */
    @Benchmark
    public EnumSet<Seal> memfdSeals() {
        return open.seals();
    }

    /** The alternative without memfd: a named temporary file on tmpfs (C: tmpfs_write_delete, same system calls). */
    @Benchmark
    public void tmpfsFileWriteDelete() throws IOException {
        Path file = Files.createTempFile(SHM, NAME, ".tmp");
        Files.write(file, bytes);
        Files.delete(file);
    }
}
