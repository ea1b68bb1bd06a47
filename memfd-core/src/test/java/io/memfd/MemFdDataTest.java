package io.memfd;

import static io.memfd.testing.Io.unchecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Size, positional I/O, streams, channels and mappings. */
class MemFdDataTest {

    /** Larger than one bounce buffer, and not a multiple of it, so chunking is exercised. */
    private static final byte[] LARGE = pattern(3 * 128 * 1024 + 777);

    @Test
    void newMemfdIsEmptyAndResizeGrowsWithZerosAndShrinks() {
        try (MemFd memfd = MemFd.create("size")) {
            assertThat(memfd.size()).isZero();
            memfd.resize(10);
            assertThat(memfd.readAllBytes()).containsOnly(0).hasSize(10);
            memfd.resize(3);
            assertThat(memfd.size()).isEqualTo(3);
            assertThatThrownBy(() -> memfd.resize(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("size must not be negative");
        }
    }

    @Test
    void heapAndDirectBuffersRoundTripAtAnyPosition() {
        try (MemFd memfd = MemFd.create("positional")) {
            memfd.write(5, LARGE);
            assertThat(memfd.size()).isEqualTo(5 + LARGE.length);

            byte[] heap = new byte[LARGE.length];
            assertThat(readFully(memfd, 5, ByteBuffer.wrap(heap))).isEqualTo(LARGE.length);
            assertThat(heap).isEqualTo(LARGE);

            ByteBuffer direct = ByteBuffer.allocateDirect(LARGE.length);
            assertThat(readFully(memfd, 5, direct)).isEqualTo(LARGE.length);
            assertThat(direct.flip()).isEqualTo(ByteBuffer.wrap(LARGE));

            ByteBuffer source = ByteBuffer.allocateDirect(4).put(new byte[] {9, 8, 7, 6}).flip();
            source.position(1);
            assertThat(memfd.write(0, source)).isEqualTo(3);
            assertThat(source.hasRemaining()).isFalse();
            byte[] start = new byte[4];
            assertThat(memfd.read(0, start, 1, 3)).isEqualTo(3);
            assertThat(start).containsExactly(0, 8, 7, 6);
        }
    }

    @Test
    void readAtOrPastTheEndReturnsMinusOne() {
        try (MemFd memfd = MemFd.create("eof")) {
            memfd.write(0, new byte[] {1, 2});
            ByteBuffer buffer = ByteBuffer.allocate(10);
            assertThat(memfd.read(1, buffer)).isEqualTo(1);
            assertThat(memfd.read(2, buffer)).isEqualTo(-1);
            assertThat(memfd.read(100, buffer)).isEqualTo(-1);
            assertThat(memfd.read(0, ByteBuffer.allocate(0))).isZero();
        }
    }

    @Test
    void invalidArgumentsAreRefusedBeforeAnySystemCall() {
        try (MemFd memfd = MemFd.create("invalid")) {
            assertThatThrownBy(() -> memfd.read(-1, ByteBuffer.allocate(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position");
            assertThatThrownBy(() -> memfd.read(0, ByteBuffer.allocate(1).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> memfd.write(Long.MAX_VALUE, new byte[2]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("largest possible file size");
            assertThatThrownBy(() -> memfd.write(0, new byte[4], 2, 5))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessage("Range [2, 2 + 5) out of bounds for length 4");
            assertThatThrownBy(() -> memfd.read(0, new byte[4], -1, 2))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("out of bounds for length 4");
            assertThat(memfd.size()).isZero();
        }
    }

    @Test
    void appendsCopyStreamsAndBuffersToTheEnd() throws IOException {
        try (MemFd memfd = MemFd.create("append")) {
            memfd.append(new byte[] {1});
            assertThat(memfd.append(new ByteArrayInputStream(LARGE))).isEqualTo(LARGE.length);
            assertThat(memfd.append(ByteBuffer.wrap(new byte[] {2, 3}))).isEqualTo(2);
            byte[] all = memfd.readAllBytes();
            assertThat(all).hasSize(LARGE.length + 3).startsWith(1).endsWith(2, 3);
        }
    }

    @Test
    void eachInputStreamIsIndependentAndStartsAtTheBeginning() throws IOException {
        try (MemFd memfd = MemFd.create("streams")) {
            memfd.write(0, LARGE);
            try (InputStream first = memfd.newInputStream(); InputStream second = memfd.newInputStream()) {
                assertThat(first.read()).isEqualTo(LARGE[0] & 0xFF);
                assertThat(first.skip(9)).isEqualTo(9);
                assertThat(second.readAllBytes()).isEqualTo(LARGE);
                assertThat(first.read()).isEqualTo(LARGE[10] & 0xFF);
            }
            assertThat(memfd.isOpen()).as("closing a stream leaves the memfd open").isTrue();
        }
    }

    @Test
    void outputStreamAppendsAndIsBoundBySeals() throws IOException {
        try (MemFd memfd = MemFd.create("output")) {
            memfd.write(0, new byte[] {1});
            try (OutputStream out = memfd.newOutputStream()) {
                out.write(2);
                out.write(LARGE);
            }
            assertThat(memfd.size()).isEqualTo(2 + LARGE.length);
            memfd.addSeal(Seal.WRITE);
            try (OutputStream out = memfd.newOutputStream()) {
                assertThatThrownBy(() -> out.write(3)).isInstanceOf(WriteSealedException.class);
            }
        }
    }

    @Test
    void byteChannelHasItsOwnPositionAndTruncates() throws IOException {
        try (MemFd memfd = MemFd.create("byte-channel"); SeekableByteChannel channel = memfd.newByteChannel()) {
            assertThat(channel.write(ByteBuffer.wrap(bytes("hello world")))).isEqualTo(11);
            assertThat(channel.position()).isEqualTo(11);
            assertThat(channel.size()).isEqualTo(11);
            channel.position(6);
            ByteBuffer word = ByteBuffer.allocate(5);
            channel.read(word);
            assertThat(new String(word.array(), StandardCharsets.US_ASCII)).isEqualTo("world");
            assertThat(channel.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            channel.truncate(5);
            assertThat(memfd.readAllBytes()).isEqualTo(bytes("hello"));
            assertThat(channel.position()).isEqualTo(5);
            channel.close();
            assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
            assertThat(memfd.isOpen()).isTrue();
        }
    }

    @Test
    void fileChannelTransfersWithoutCopyingThroughJava(@TempDir Path directory) throws IOException {
        try (MemFd memfd = MemFd.create("transfer")) {
            memfd.write(0, LARGE);
            memfd.makeImmutable();
            Path target = directory.resolve("copy");
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                long sent = 0;
                while (sent < LARGE.length) {
                    sent += memfd.channel().transferTo(sent, LARGE.length - sent, out);
                }
            }
            assertThat(Files.readAllBytes(target)).isEqualTo(LARGE);

            Pipe pipe = Pipe.open();
            try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
                assertThat(memfd.channel().transferTo(0, 1000, sink)).isEqualTo(1000);
                ByteBuffer received = ByteBuffer.allocate(1000);
                while (received.hasRemaining()) {
                    source.read(received);
                }
                assertThat(received.array()).isEqualTo(java.util.Arrays.copyOf(LARGE, 1000));
            }
        }
    }

    @Test
    void fileChannelIsReadOnlyReusedReopenedAfterTheUserClosesItAndClosedWithTheMemfd() throws IOException {
        MemFd memfd = MemFd.create("lazy-channel");
        memfd.write(0, bytes("abc"));
        FileChannel channel = memfd.channel();
        assertThat(memfd.channel()).isSameAs(channel);
        assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(bytes("x")))).isInstanceOf(
                java.nio.channels.NonWritableChannelException.class);
        channel.close();
        FileChannel reopened = memfd.channel();
        assertThat(reopened.isOpen()).isTrue();
        assertThat(reopened.size()).isEqualTo(3);
        memfd.close();
        assertThat(reopened.isOpen()).isFalse();
    }

    @Test
    void newFileChannelIsTheCallersOwnAndOutlivesTheMemfd() throws IOException {
        MemFd memfd = MemFd.create("own-channel");
        memfd.write(0, bytes("abc"));
        try (FileChannel first = memfd.newFileChannel(); FileChannel second = memfd.newFileChannel()) {
            assertThat(first).isNotSameAs(second).isNotSameAs(memfd.channel());
            first.position(1);
            assertThat(second.position()).isZero();
            memfd.close();
            ByteBuffer content = ByteBuffer.allocate(3);
            assertThat(second.read(content)).isEqualTo(3);
            assertThat(content.array()).isEqualTo(bytes("abc"));
        }
        assertThatThrownBy(memfd::newFileChannel).isInstanceOf(MemFdClosedException.class);
    }

    @Test
    void mappingsShareTheFileBothWays() {
        try (MemFd memfd = MemFd.create("mapped")) {
            memfd.resize(8192);
            MappedByteBuffer writable = memfd.mapReadWrite(4096, 4096);
            writable.put(0, (byte) 42);
            assertThat(memfd.readAllBytes()[4096]).isEqualTo((byte) 42);

            memfd.write(4097, new byte[] {43});
            assertThat(writable.get(1)).isEqualTo((byte) 43);
            assertThat(memfd.mapReadOnly().get(4096)).isEqualTo((byte) 42);
            assertThat(memfd.mapReadOnly().isReadOnly()).isTrue();
        }
    }

    @Test
    void mappingPastTheEndIsRefusedClearly() {
        try (MemFd memfd = MemFd.create("short")) {
            memfd.resize(100);
            assertThatThrownBy(() -> memfd.mapReadWrite(0, 4096))
                    .isInstanceOf(MemFdException.class)
                    .hasMessageContaining("memfd 'short'").hasMessageContaining("map read-write")
                    .hasMessageContaining("passes the end of the file at 100 bytes");
            assertThat(memfd.size()).as("mapping must not grow the file").isEqualTo(100);
        }
    }

    @Test
    void concurrentReadersSeeTheSameContent() throws Exception {
        try (MemFd memfd = MemFd.create("shared-reads")) {
            memfd.write(0, LARGE);
            memfd.makeImmutable();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<byte[]>> reads = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    reads.add(threads.submit(memfd::readAllBytes));
                }
                for (Future<byte[]> read : reads) {
                    assertThat(read.get()).isEqualTo(LARGE);
                }
            } finally {
                threads.shutdown();
            }
        }
    }

    @Test
    void sealQueriesAndMakeImmutable() {
        try (MemFd memfd = MemFd.create("queries")) {
            assertThat(memfd.hasSeals(Seal.WRITE)).isFalse();
            memfd.makeImmutable();
            assertThat(memfd.hasSeals(Seal.IMMUTABLE)).isTrue();
            assertThat(memfd.hasSeals(Seal.WRITE, Seal.SEAL)).isTrue();
            assertThat(memfd.hasSeals(Seal.FUTURE_WRITE)).isFalse();
            assertThat(memfd.info().seals()).isEqualTo(memfd.seals());
        }
    }

    @Test
    void withRawFdLendsTheDescriptorAndDupGivesAnIndependentOne() throws IOException {
        try (MemFd memfd = MemFd.create("raw")) {
            String link = memfd.withRawFd(fd -> {
                try {
                    return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(link).isEqualTo("/memfd:raw (deleted)");
            try (MemFd duplicate = memfd.dup()) {
                assertThat(duplicate.rawFd()).isNotEqualTo(memfd.rawFd());
                assertThat(duplicate.name()).isEqualTo("raw");
                assertThat(duplicate.withProcPath(unchecked(Files::readSymbolicLink)))
                        .hasToString("/memfd:raw (deleted)");
            }
        }
    }

    private static int readFully(MemFd memfd, long position, ByteBuffer target) {
        int total = 0;
        while (target.hasRemaining()) {
            int read = memfd.read(position + total, target);
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + i / 251);
        }
        return bytes;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
