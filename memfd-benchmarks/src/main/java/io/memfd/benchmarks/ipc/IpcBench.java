package io.memfd.benchmarks.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.memfd.MemFd;
import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.MemFdServer;

/**
 * The Java side of the IPC benchmark (bench/ipc/run.sh), the peer of bench/c/ipc_peer.c with the same modes and the
 * same measuring. Not a JMH benchmark: a hand-off needs two processes, and JMH measures one. It ships in the module's
 * jar all the same: {@code java -cp memfd-benchmarks/target/benchmarks.jar io.memfd.benchmarks.ipc.IpcBench ...}
 *
 * <pre>
 *   IpcBench serve PATH                 MemFdServer whose handler replies at once: every request is received, its
 *                                       memfd checked and adopted (memfd, seals, size) and closed; nothing is mapped
 *   IpcBench send PATH SIZE W I T       MemFdClient sending one sealed memfd of SIZE bytes again and again
 *   IpcBench copy-serve PATH SIZE       SocketChannel server: read SIZE bytes into a direct buffer, reply one byte
 *   IpcBench copy-send PATH SIZE W I T  SocketChannel client: write SIZE bytes from a direct buffer, await the reply
 * </pre>
 *
 * A client runs W untimed iterations, then I timed ones of about T milliseconds each, and prints the median over the
 * timed iterations of their mean time per round trip ({@code java<TAB>nanoseconds}). A server prints {@code ready}
 * once it listens and runs until it is killed.
 */
public final class IpcBench {

    private static final byte[] HEADER = "benchmark header".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLY = { 'k' };

    private IpcBench() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        switch (args[0]) {
            case "serve" -> serve(path);
            case "send" -> send(path, Long.parseLong(args[2]), timing(args));
            case "copy-serve" -> copyServe(path, Integer.parseInt(args[2]));
            case "copy-send" -> copySend(path, Integer.parseInt(args[2]), timing(args));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void serve(Path path) throws IOException, InterruptedException {
        Files.deleteIfExists(path);
        MemFdServer server = MemFdServer.builder(path).handler(request -> REPLY).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        ready();
        Thread.currentThread().join();
    }

    private static void send(Path path, long size, int[] timing) throws Exception {
        try (MemFd buffer = MemFd.create("ipc-bench"); MemFdClient client = MemFdClient.builder(path).build()) {
            fill(buffer, size);
            buffer.makeImmutable();
            measure(() -> client.send(HEADER, buffer), timing);
        }
    }

    private static void copyServe(Path path, int size) throws IOException {
        Files.deleteIfExists(path);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            ready();
            ByteBuffer buffer = ByteBuffer.allocateDirect(size);
            for (;;) {
                try (SocketChannel connection = listener.accept()) {
                    while (readFully(connection, buffer.clear())) {
                        connection.write(ByteBuffer.wrap(REPLY));
                    }
                }
            }
        }
    }

    private static void copySend(Path path, int size, int[] timing) throws Exception {
        ByteBuffer data = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            data.put(i, (byte) (i * 31 >>> 7));
        }
        ByteBuffer reply = ByteBuffer.allocate(1);
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            measure(() -> {
                data.clear();
                while (data.hasRemaining()) {
                    channel.write(data);
                }
                if (!readFully(channel, reply.clear())) {
                    throw new IOException("the server closed the connection");
                }
            }, timing);
        }
    }

    private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    private static void fill(MemFd buffer, long size) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        for (long position = 0; position < size; position += chunk.capacity()) {
            chunk.clear();
            for (int i = 0; i < chunk.capacity(); i++) {
                chunk.put(i, (byte) ((position + i) * 31 >>> 7));
            }
            buffer.write(position, chunk.limit((int) Math.min(chunk.capacity(), size - position)));
        }
    }

    private interface Trip {
        void run() throws Exception;
    }

    /** As ipc_peer.c's measure(): W untimed iterations, I timed ones of T ms; prints the median ns per trip. */
    private static void measure(Trip trip, int[] timing) throws Exception {
        int warmups = timing[0];
        int iterations = timing[1];
        long iterationNanos = timing[2] * 1_000_000L;
        double[] results = new double[iterations];
        for (int i = -warmups; i < iterations; i++) {
            long start = System.nanoTime();
            long end = start + iterationNanos;
            long trips = 0;
            long now;
            do {
                trip.run();
                trips++;
            } while ((now = System.nanoTime()) < end);
            if (i >= 0) {
                results[i] = (double) (now - start) / trips;
            }
        }
        Arrays.sort(results);
        double median = iterations % 2 == 1 ? results[iterations / 2]
                : (results[iterations / 2 - 1] + results[iterations / 2]) / 2;
        System.out.printf("java\t%.1f%n", median);
    }

    private static int[] timing(String[] args) {
        return new int[] { Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]) };
    }

    private static void ready() {
        System.out.println("ready");
        System.out.flush();
    }
}
