package io.memfd.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
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

/**
 * Reading a sealed 64 MiB memfd, against the C peers in {@code bench/c/memfd_bench.c}. The memfd is filled (word
 * {@code i} holds {@code i}), sealed and mapped once per fork, and read once before timing so that page faults are
 * not measured, as in C. One operation reads all 64 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class MappedReadBenchmark {

    static final int SIZE = 64 * 1024 * 1024;
    private static final int PAGE = 4096;
    private static final int WORDS = SIZE / Long.BYTES;

    private MemFd memfd;
    private ByteBuffer mapping;
    private LongBuffer words;
    private byte[] heap;
    private ByteBuffer direct;

    @Setup
    public void setUp() {
        memfd = MemFd.create("bench-64m");
        ByteBuffer chunk = ByteBuffer.allocateDirect(128 * 1024).order(ByteOrder.nativeOrder());
        for (long word = 0; word < WORDS; ) {
            chunk.clear();
            while (chunk.hasRemaining()) {
                chunk.putLong(word++);
            }
            memfd.append(chunk.flip());
        }
        memfd.makeImmutable();
        MappedByteBuffer mapped = memfd.mapReadOnly();
        mapping = mapped.order(ByteOrder.nativeOrder());
        words = mapping.asLongBuffer();
        heap = new byte[SIZE];
        direct = ByteBuffer.allocateDirect(SIZE + PAGE).alignedSlice(PAGE);
        long expected = (long) WORDS * (WORDS - 1) / 2;
        if (mappedGetLong() != expected || mappedLongBuffer() != expected) {
            throw new IllegalStateException("the mapped sum is wrong");
        }
    }

    @TearDown
    public void tearDown() {
        memfd.close();
    }

    /** The target: sum the 64-bit words through the MappedByteBuffer (C: mapped_sum). */
    @Benchmark
    public long mappedGetLong() {
        ByteBuffer buffer = mapping;
        long sum = 0;
        for (int i = 0; i < SIZE; i += Long.BYTES) {
            sum += buffer.getLong(i);
        }
        return sum;
    }

    /** The same through a LongBuffer view of the mapping (C: mapped_sum). */
    @Benchmark
    public long mappedLongBuffer() {
        LongBuffer buffer = words;
        long sum = 0;
        for (int i = 0; i < WORDS; i++) {
            sum += buffer.get(i);
        }
        return sum;
    }

    /** For information: a new heap array, filled with pread through the bounce buffer (C: pread_bounce). */
    @Benchmark
    public byte[] readAllBytes() {
        return memfd.readAllBytes();
    }

    /** For information: pread through the bounce buffer into an existing heap array (C: pread_bounce). */
    @Benchmark
    public byte[] readIntoHeapArray() {
        for (int done = 0; done < SIZE; ) {
            done += memfd.read(done, heap, done, SIZE - done);
        }
        return heap;
    }

    /** For information: pread straight into a page-aligned direct buffer, no copy in Java (C: pread_direct). */
    @Benchmark
    public ByteBuffer readIntoDirectBuffer() {
        ByteBuffer target = direct.clear();
        while (target.hasRemaining()) {
            memfd.read(target.position(), target);
        }
        return target;
    }
}
