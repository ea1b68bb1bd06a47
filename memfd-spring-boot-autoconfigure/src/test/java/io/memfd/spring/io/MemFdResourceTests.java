package io.memfd.spring.io;

import java.io.FileNotFoundException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;
import org.springframework.util.FileCopyUtils;
import org.springframework.util.StreamUtils;

import io.memfd.MemFd;
import io.memfd.ResizeSealedException;
import io.memfd.Seal;
import io.memfd.WriteSealedException;

import static io.memfd.testing.Io.unchecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@link MemFdResource} against real memfds: the {@code Resource} and {@code WritableResource} contracts. */
class MemFdResourceTests {

    private static final byte[] HELLO = "hello, memfd".getBytes(StandardCharsets.UTF_8);

    private final MemFd memfd = MemFd.create("docs/hello.txt");

    private final MemFdResource resource = new MemFdResource(this.memfd);

    @AfterEach
    void close() {
        this.memfd.close();
    }

    @Test
    void contentLengthIsTheSizeWithoutReading() throws Exception {
        // A sparse terabyte: AbstractResource's default, which reads the stream to count, would not return for
        // minutes; the kernel's fstat answers at once, and not a page is allocated.
        long terabyte = 1L << 40;
        this.memfd.resize(terabyte);
        assertThat(this.resource.contentLength()).isEqualTo(terabyte);
    }

    @Test
    void everyInputStreamIsIndependentAndStartsAtTheBeginning() throws Exception {
        this.memfd.write(0, HELLO);
        assertThat(this.resource.isOpen()).isFalse();
        try (InputStream first = this.resource.getInputStream(); InputStream second = this.resource.getInputStream()) {
            assertThat(first.readNBytes(5)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
            assertThat(second.readAllBytes()).isEqualTo(HELLO);
            assertThat(first.readAllBytes()).isEqualTo(", memfd".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(this.resource.getContentAsByteArray()).isEqualTo(HELLO);
        assertThat(this.resource.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("hello, memfd");
    }

    @Test
    void readableChannelIsAReadOnlyFileChannelWithItsOwnPosition() throws Exception {
        this.memfd.write(0, HELLO);
        this.memfd.makeImmutable();
        try (ReadableByteChannel one = this.resource.readableChannel();
                ReadableByteChannel two = this.resource.readableChannel()) {
            assertThat(one).isInstanceOf(FileChannel.class);
            FileChannel file = (FileChannel) one;
            file.position(7);
            ByteBuffer tail = ByteBuffer.allocate(16);
            file.read(tail);
            assertThat(new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8)).isEqualTo("memfd");
            ByteBuffer head = ByteBuffer.allocate(5);
            two.read(head);
            assertThat(head.array()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
            assertThat(file.size()).isEqualTo(HELLO.length);
            assertThatExceptionOfType(java.nio.channels.NonWritableChannelException.class)
                .isThrownBy(() -> file.write(ByteBuffer.wrap(HELLO)));
        }
        assertThat(this.memfd.isOpen()).isTrue();
    }

    @Test
    void outputStreamReplacesTheContentWhileNotWriteSealed() throws Exception {
        this.memfd.write(0, "a much longer content than the next one".getBytes(StandardCharsets.UTF_8));
        assertThat(this.resource.isWritable()).isTrue();
        try (OutputStream out = this.resource.getOutputStream()) {
            out.write(HELLO);
        }
        assertThat(this.memfd.readAllBytes()).isEqualTo(HELLO);
        FileCopyUtils.copy(new ByteArrayResource("copied".getBytes(StandardCharsets.UTF_8)).getInputStream(),
                this.resource.getOutputStream());
        assertThat(this.resource.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("copied");
    }

    @Test
    void writableChannelWritesInPlaceFromTheStart() throws Exception {
        this.memfd.write(0, HELLO);
        try (WritableByteChannel channel = this.resource.writableChannel()) {
            channel.write(ByteBuffer.wrap("HELLO".getBytes(StandardCharsets.UTF_8)));
            assertThat(((SeekableByteChannel) channel).position()).isEqualTo(5);
        }
        assertThat(this.resource.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("HELLO, memfd");
    }

    @Test
    void writeSealedResourceIsNotWritableAndRefusesWritersWithoutLosingContent() throws Exception {
        this.memfd.write(0, HELLO);
        this.memfd.addSeal(Seal.WRITE);
        assertThat(this.resource.isWritable()).isFalse();
        assertThatExceptionOfType(WriteSealedException.class).isThrownBy(this.resource::getOutputStream)
            .withMessageContaining("docs/hello.txt")
            .withMessageContaining("F_SEAL_WRITE")
            .satisfies((e) -> assertThat(e.seal()).isEqualTo(Seal.WRITE));
        assertThatExceptionOfType(WriteSealedException.class).isThrownBy(this.resource::writableChannel);
        // WRITE does not forbid truncation; the resource must not have truncated before refusing.
        assertThat(this.memfd.readAllBytes()).isEqualTo(HELLO);
    }

    @Test
    void futureWriteSealAlsoEndsWritability() {
        this.memfd.addSeal(Seal.FUTURE_WRITE);
        assertThat(this.resource.isWritable()).isFalse();
        assertThatExceptionOfType(WriteSealedException.class).isThrownBy(this.resource::getOutputStream)
            .satisfies((e) -> assertThat(e.seal()).isEqualTo(Seal.FUTURE_WRITE));
    }

    @Test
    void streamOpenedBeforeSealingFailsClearlyAfterwards() throws Exception {
        OutputStream out = this.resource.getOutputStream();
        out.write(HELLO);
        this.memfd.addSeal(Seal.WRITE);
        assertThatExceptionOfType(WriteSealedException.class).isThrownBy(() -> out.write(HELLO));
        assertThat(this.memfd.readAllBytes()).isEqualTo(HELLO);
    }

    @Test
    void outputStreamCannotTruncateAShrinkSealedResource() throws Exception {
        this.memfd.write(0, HELLO);
        this.memfd.addSeal(Seal.SHRINK);
        assertThat(this.resource.isWritable()).isTrue();
        assertThatExceptionOfType(ResizeSealedException.class).isThrownBy(this.resource::getOutputStream);
        assertThat(this.memfd.readAllBytes()).isEqualTo(HELLO);
    }

    @Test
    void closedResourceDoesNotExistAndReadsFailAsForAMissingFile() {
        this.resource.close();
        assertThat(this.memfd.isOpen()).isFalse();
        assertThat(this.resource.exists()).isFalse();
        assertThat(this.resource.isReadable()).isFalse();
        assertThat(this.resource.isFile()).isFalse();
        assertThat(this.resource.isWritable()).isFalse();
        assertThat(this.resource.getDescription()).isEqualTo("memfd [docs/hello.txt] (closed)");
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::getInputStream)
            .withMessage("memfd [docs/hello.txt] (closed) does not exist any more");
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::contentLength);
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::readableChannel);
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::getFile);
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::lastModified);
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::getOutputStream);
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::getContentAsByteArray);
        this.resource.close();
    }

    @Test
    void descriptionNamesTheMemfdItsDescriptorSizeAndSeals() {
        this.memfd.write(0, HELLO);
        this.memfd.addSeals(Seal.WRITE, Seal.GROW);
        assertThat(this.resource.getDescription())
            .startsWith("memfd [docs/hello.txt] (fd " + this.memfd.rawFd() + ", 12 bytes, seals [")
            .contains("GROW", "WRITE")
            .doesNotContain("SHRINK");
        assertThat(this.resource).hasToString(this.resource.getDescription());
    }

    /**
     * A /proc/self/fd path would outlive the memfd it names: after a close, the number belongs to the next file
     * opened. So the resource offers no file, and code that asks for one falls back to its channel or stream.
     */
    @Test
    void thereIsNoFilePathBecauseOneWouldNameAnotherFileAfterAClose() throws Exception {
        this.memfd.write(0, HELLO);
        this.memfd.makeImmutable();
        assertThat(this.resource.isFile()).isFalse();
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::getFile)
            .withMessageContaining("has no file path").withMessageContaining("readableChannel()");
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::getFilePath);
        try (ReadableByteChannel channel = this.resource.readableChannel()) {
            this.resource.close();
            // The channel holds its own descriptor: it still reads the memfd, not whatever took the number.
            try (MemFd other = MemFd.create("other")) {
                other.write(0, new byte[] {'X'});
                ByteBuffer content = ByteBuffer.allocate(HELLO.length);
                while (content.hasRemaining() && channel.read(content) >= 0) {
                    // keep reading
                }
                assertThat(content.array()).isEqualTo(HELLO);
            }
        }
    }

    @Test
    void lastModifiedIsTheMemfdsModificationTime() throws Exception {
        long before = System.currentTimeMillis();
        this.memfd.write(0, HELLO);
        long modified = this.resource.lastModified();
        // File times have coarser granularity than currentTimeMillis: allow the clock tick the kernel rounds to.
        assertThat(modified).isBetween(before - 1000, System.currentTimeMillis() + 1000);
        assertThat(modified).isEqualTo(this.memfd.withProcPath(unchecked(Files::getLastModifiedTime)).toMillis());
    }

    @Test
    void createRelativeAndUrlAreNotSupported() {
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(() -> this.resource.createRelative("x"));
        assertThatExceptionOfType(FileNotFoundException.class).isThrownBy(this.resource::getURL);
    }

    @Test
    void filenameIsTheLastPartOfTheName() {
        // What Spring's MediaTypeFactory reads to choose a Content-Type.
        assertThat(this.resource.getFilename()).isEqualTo("hello.txt");
        try (MemFd unnamed = MemFd.create("")) {
            assertThat(new MemFdResource(unnamed).getFilename()).isNull();
        }
    }

    @Test
    void equalWhenBackedByTheSameMemfdWhateverItsSizeAndSeals() throws Exception {
        MemFdResource same = new MemFdResource(this.memfd);
        Set<Resource> set = new HashSet<>(Set.of(this.resource));
        this.memfd.write(0, HELLO);
        this.memfd.addSeal(Seal.GROW);
        assertThat(same).isEqualTo(this.resource).hasSameHashCodeAs(this.resource);
        assertThat(set).contains(same);
        try (MemFd other = MemFd.create("docs/hello.txt")) {
            assertThat(new MemFdResource(other)).isNotEqualTo(this.resource);
        }
        try (MemFd duplicate = this.memfd.dup()) {
            assertThat(StreamUtils.copyToByteArray(new MemFdResource(duplicate).getInputStream())).isEqualTo(HELLO);
            assertThat(new MemFdResource(duplicate)).isNotEqualTo(this.resource);
        }
    }
}
