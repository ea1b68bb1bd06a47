package io.memfd.benchmarks;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.memfd.MemFd;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeCalls;

/**
 * create + write 4 KiB + seal + close through {@link MemFd} (from a direct buffer and from a {@code byte[]}) and
 * through the {@link NativeCalls} seam, against the same sequence in C, all in this process: the C loop
 * ({@code bench/c/peer_loop.c}) is a shared library called once per batch. The four sides alternate in short slices,
 * so that each round's ratios compare figures taken within about a second of each other in one process; a C peer in
 * a process of its own (bench/run.sh) runs a minute before or after its JMH fork, and this machine's speed moves by
 * tens of percent from minute to minute. Run by {@code bench/same-process.sh}.
 *
 * <pre>SameProcessBench LIBRARY WARMUP_SECONDS ROUNDS SLICE_MILLIS</pre>
 *
 * Prints one line per round (nanoseconds per sequence for each side, and each side's ratio to C), then each ratio's
 * median and range over the rounds.
 */
public final class SameProcessBench {

    private static final int BATCH = 100;
    private static final int SIDES = 4;
    private static final String NAME = "bench";

    private final MethodHandle peer;
    private final ByteBuffer direct = ByteBuffer.allocateDirect(4096);
    private final byte[] bytes = new byte[4096];
    private final NativeCalls calls = NativeBackend.calls();
    private final ByteBuffer name = ByteBuffer.allocateDirect(16);
    private final long nameAddress;
    private final long directAddress;

    private SameProcessBench(MethodHandle peer) {
        this.peer = peer;
        Arrays.fill(bytes, (byte) 0x5a);
        direct.put(bytes).clear();
        name.put(NAME.getBytes(StandardCharsets.US_ASCII)).put((byte) 0).clear();
        nameAddress = calls.address(name);
        directAddress = calls.address(direct);
    }

    public static void main(String[] args) throws Throwable {
        MethodHandle peer = Linker.nativeLinker().downcallHandle(
                SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global()).find("peer_create_write_seal")
                        .orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        long warmupNanos = Long.parseLong(args[1]) * 1_000_000_000L;
        int rounds = Integer.parseInt(args[2]);
        long sliceNanos = Long.parseLong(args[3]) * 1_000_000L;
        SameProcessBench bench = new SameProcessBench(peer);
        long warmupEnd = System.nanoTime() + warmupNanos;
        while (System.nanoTime() < warmupEnd) {
            for (int side = 0; side < SIDES; side++) {
                bench.time(side, sliceNanos);
            }
        }
        List<double[]> ratios = new ArrayList<>();
        System.out.println("round\tc_ns\tdirect_ns\tbyte_ns\tseam_ns\tdirect/c\tbyte/c\tseam/c");
        for (int round = 1; round <= rounds; round++) {
            double[] ns = new double[SIDES];
            for (int i = 0; i < SIDES; i++) {
                // Rotate the order so that no side always runs right after the same other one.
                int side = (i + round) % SIDES;
                ns[side] = bench.time(side, sliceNanos);
            }
            double[] toC = {ns[1] / ns[0], ns[2] / ns[0], ns[3] / ns[0]};
            ratios.add(toC);
            System.out.printf("%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.3f\t%.3f\t%.3f%n", round, ns[0], ns[1], ns[2], ns[3],
                    toC[0], toC[1], toC[2]);
        }
        String[] labels = {"MemFd, direct buffer", "MemFd, byte[]", "NativeCalls seam"};
        for (int k = 0; k < labels.length; k++) {
            int column = k;
            double[] values = ratios.stream().mapToDouble(r -> r[column]).sorted().toArray();
            System.out.printf("%s / C: median %.3f, range %.3f-%.3f over %d rounds%n", labels[k],
                    values[values.length / 2], values[0], values[values.length - 1], values.length);
        }
    }

    /** Runs one side for about {@code nanos} and returns its nanoseconds per sequence. */
    private double time(int side, long nanos) throws Throwable {
        long sequences = 0;
        long start = System.nanoTime();
        long end = start + nanos;
        long now;
        do {
            batch(side);
            sequences += BATCH;
            now = System.nanoTime();
        } while (now < end);
        return (now - start) / (double) sequences;
    }

    private void batch(int side) throws Throwable {
        switch (side) {
            case 0 -> {
                if ((int) peer.invokeExact((long) BATCH) != 0) {
                    throw new IllegalStateException("the C peer failed");
                }
            }
            case 1 -> {
                for (int i = 0; i < BATCH; i++) {
                    try (MemFd memfd = MemFd.create(NAME)) {
                        memfd.write(0, direct.clear());
                        memfd.makeImmutable();
                    }
                }
            }
            case 2 -> {
                for (int i = 0; i < BATCH; i++) {
                    try (MemFd memfd = MemFd.create(NAME)) {
                        memfd.write(0, bytes);
                        memfd.makeImmutable();
                    }
                }
            }
            default -> {
                for (int i = 0; i < BATCH; i++) {
                    NativeCallsBenchmark.createWriteSeal(calls, nameAddress, directAddress);
                }
            }
        }
    }
}
