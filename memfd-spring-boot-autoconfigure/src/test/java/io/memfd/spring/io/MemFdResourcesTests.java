package io.memfd.spring.io;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.InputStreamResource;

import io.memfd.BudgetExceededException;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.SizeLimitExceededException;
import io.memfd.testing.OpenFds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@link MemFdResources} against real memfds from a factory with small limits. */
class MemFdResourcesTests {

    private static final int LIMIT = 256 * 1024;

    /** Room for two full buffers and half of a third. */
    private static final int BUDGET = 5 * LIMIT / 2;

    private final MemFdFactory factory = MemFdFactory.builder().maxSize(LIMIT).maxTotalSize(BUDGET).build();

    private final MemFdResources resources = new MemFdResources(this.factory);

    @AfterEach
    void closeFactory() {
        this.factory.close();
    }

    @Test
    void emptyResourceIsWritableUntilSealed() throws IOException {
        try (MemFdResource resource = this.resources.create("draft")) {
            assertThat(resource.exists()).isTrue();
            assertThat(resource.contentLength()).isZero();
            assertThat(resource.isWritable()).isTrue();
            try (OutputStream out = resource.getOutputStream()) {
                out.write("draft".getBytes(StandardCharsets.UTF_8));
            }
            this.resources.seal(resource);
            assertThat(resource.isWritable()).isFalse();
            assertThat(resource.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
            assertThat(resource.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("draft");
        }
    }

    @Test
    void sealedFromBytes() throws IOException {
        try (MemFdResource resource = this.resources.createSealed("bytes", new byte[] { 1, 2, 3 })) {
            assertThat(resource.getContentAsByteArray()).containsExactly(1, 2, 3);
            assertThat(resource.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
            assertThat(resource.isWritable()).isFalse();
        }
    }

    @Test
    void sealedFromAStreamWhichIsLeftOpen() throws IOException {
        TrackedStream content = new TrackedStream(new byte[LIMIT]);
        try (MemFdResource resource = this.resources.createSealed("stream", content)) {
            assertThat(resource.contentLength()).isEqualTo(LIMIT);
            assertThat(resource.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
        }
        assertThat(content.closed).isFalse();
    }

    @Test
    void sealedCopyOfAClasspathResource() throws IOException {
        ClassPathResource source = new ClassPathResource("sample/greeting.txt");
        try (MemFdResource copy = this.resources.createSealed("greeting.txt", source)) {
            assertThat(copy.getContentAsByteArray()).isEqualTo(source.getContentAsByteArray());
            assertThat(copy.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
            assertThat(copy.getFilename()).isEqualTo("greeting.txt");
        }
    }

    @Test
    void copyClosesTheSourceStream() throws IOException {
        TrackedStream content = new TrackedStream(new byte[10]);
        try (MemFdResource copy = this.resources.createSealed("copy", new InputStreamResource(content))) {
            assertThat(copy.contentLength()).isEqualTo(10);
        }
        assertThat(content.closed).isTrue();
    }

    @Test
    void streamOverTheSizeLimitFailsAndLeavesNoMemfdBehind() throws IOException {
        TrackedStream content = new TrackedStream(new byte[LIMIT + 1]);
        assertThatExceptionOfType(SizeLimitExceededException.class)
            .isThrownBy(() -> this.resources.createSealed("too-big", new InputStreamResource(content)))
            .withMessageContaining("too-big")
            .withMessageContaining("per-buffer limit of " + LIMIT + " bytes");
        assertThat(this.factory.registry().count()).isZero();
        assertThat(this.factory.registry().usedBytes()).isZero();
        assertThat(this.factory.registry().releasedCount()).isEqualTo(1);
        assertThat(OpenFds.memfdsNamed("too-big")).isZero();
        assertThat(content.closed).isTrue();
    }

    @Test
    void streamOverTheTotalBudgetFailsAndLeavesNoMemfdBehind() throws IOException {
        try (MemFdResource first = this.resources.createSealed("first", new byte[LIMIT]);
                MemFdResource second = this.resources.createSealed("second", new byte[LIMIT])) {
            assertThatExceptionOfType(BudgetExceededException.class)
                .isThrownBy(() -> this.resources.createSealed("third", new ByteArrayInputStream(new byte[LIMIT])))
                .withMessageContaining("total budget of " + BUDGET + " bytes");
            assertThat(this.factory.registry().count()).isEqualTo(2);
            // Whole pages, and about 1 KiB for each file.
            assertThat(this.factory.registry().usedBytes()).isEqualTo(2 * (LIMIT + 1024L));
            assertThat(OpenFds.memfdsNamed("first")).isOne();
            assertThat(OpenFds.memfdsNamed("second")).isOne();
            assertThat(OpenFds.memfdsNamed("third")).isZero();
        }
    }

    @Test
    void closingTheFactoryClosesResourcesLeftOpen() throws IOException {
        MemFdResource forgotten = this.resources.createSealed("forgotten", new byte[1]);
        this.factory.close();
        assertThat(forgotten.exists()).isFalse();
        assertThat(OpenFds.memfdsNamed("forgotten")).isZero();
    }

    /** A stream that remembers being closed, of a given content. */
    private static final class TrackedStream extends FilterInputStream {

        private boolean closed;

        TrackedStream(byte[] content) {
            super(new ByteArrayInputStream(Arrays.copyOf(content, content.length)));
        }

        @Override
        public void close() throws IOException {
            this.closed = true;
            super.close();
        }
    }
}
