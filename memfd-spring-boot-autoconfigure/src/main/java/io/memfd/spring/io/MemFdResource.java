package io.memfd.spring.io;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.AbstractResource;
import org.springframework.core.io.WritableResource;
import org.springframework.util.StringUtils;

import io.memfd.MemFd;
import io.memfd.MemFdClosedException;
import io.memfd.MemFdInfo;
import io.memfd.Seal;
import io.memfd.WriteSealedException;

/**
 * A {@link org.springframework.core.io.Resource} backed by one {@link MemFd}, usable wherever Spring takes a resource:
 * returned from a controller, injected with {@code @Value}, copied with {@code FileCopyUtils}.
 *
 * <p><b>Reading.</b> {@link #contentLength()} asks the kernel for the size without reading; every
 * {@link #getInputStream()} is a new, independent stream from the start, so the resource can be read any number of
 * times ({@link #isOpen()} is false); {@link #readableChannel()} is a new read-only {@link FileChannel} with its own
 * position, so {@link FileChannel#transferTo} sends the bytes with {@code sendfile}.
 *
 * <p><b>Writing.</b> While the memfd carries neither {@link Seal#WRITE} nor {@link Seal#FUTURE_WRITE},
 * {@link #isWritable()} is true: {@link #getOutputStream()} replaces the content (like {@code FileSystemResource}, it
 * truncates) and {@link #writableChannel()} writes in place from position 0. Writes go through {@link MemFd}, so the
 * factory's size limits apply. Once write-sealed, {@link #isWritable()} is false and both throw
 * {@link WriteSealedException}, as any later write through an earlier stream does.
 *
 * <p><b>Files.</b> While the memfd is open, {@link #isFile()} is true and {@link #getFile()} is its
 * {@code /proc/PID/fd/N} path. That is what lets Spring WebFlux (and any code that opens the file itself) send it
 * with {@code sendfile} instead of copying it through the heap. Opening the path gives a new open file on the same
 * memfd: reading works, and writing, truncating or mapping it writable are refused where seals forbid them. The path
 * names this descriptor only while it is open: do not keep the {@code File} beyond the resource's life, because after
 * {@link #close()} the kernel reuses the number for unrelated files. Writes through the path bypass the factory's
 * limits. The {@code File} cannot be deleted or renamed, and {@link #createRelative} is not supported: a memfd lives
 * in no directory. {@link #lastModified()} is the memfd's modification time.
 *
 * <p><b>Identity.</b> {@link #getFilename()} is the last {@code /}-separated part of the memfd's name, so that media
 * types follow its extension ({@code logo.png}); {@link #getDescription()} names the memfd, its descriptor, size and
 * seals. Two resources are equal when they are backed by the same {@link MemFd} object: size and seals change, the
 * memfd does not.
 *
 * <p><b>Lifetime.</b> {@link #exists()} is true until the memfd is closed; afterwards reading methods throw
 * {@link FileNotFoundException}, as for a deleted file. {@link #close()} closes the memfd (for every user of it); a
 * resource declared as a bean is closed with its application context.
 */
public class MemFdResource extends AbstractResource implements WritableResource, AutoCloseable {

    private static final Set<Seal> WRITE_SEALS = EnumSet.of(Seal.WRITE, Seal.FUTURE_WRITE);

    private final MemFd memfd;

    public MemFdResource(MemFd memfd) {
        if (memfd == null) {
            throw new IllegalArgumentException("The memfd must not be null");
        }
        this.memfd = memfd;
    }

    /** The memfd behind this resource, for what {@code Resource} does not offer: seals, mapping, {@code dup}. */
    public MemFd getMemFd() {
        return this.memfd;
    }

    /** True until the memfd is closed. */
    @Override
    public boolean exists() {
        return this.memfd.isOpen();
    }

    /** True while the memfd is open: {@link #getFile()} then gives its {@code /proc/PID/fd/N} path. */
    @Override
    public boolean isFile() {
        return this.memfd.isOpen();
    }

    /**
     * The memfd's {@code /proc/PID/fd/N} path, valid while it is open; see the class documentation for what may be
     * done with it.
     *
     * @throws FileNotFoundException if the memfd is closed
     */
    @Override
    public File getFile() throws IOException {
        return getFilePath().toFile();
    }

    /** As {@link #getFile()}. */
    @Override
    public Path getFilePath() throws IOException {
        return whileOpen(this.memfd::procPath);
    }

    /** A new stream over the whole content, from the start. */
    @Override
    public InputStream getInputStream() throws IOException {
        return whileOpen(this.memfd::newInputStream);
    }

    /** A new read-only {@link FileChannel} on the memfd, positioned at 0; the caller closes it. */
    @Override
    public ReadableByteChannel readableChannel() throws IOException {
        return whileOpen(this.memfd::newFileChannel);
    }

    /** The whole content, read at its known size in one go. */
    @Override
    public byte[] getContentAsByteArray() throws IOException {
        return whileOpen(this.memfd::readAllBytes);
    }

    /** The size in bytes, from the kernel; nothing is read. */
    @Override
    public long contentLength() throws IOException {
        return whileOpen(this.memfd::size);
    }

    /** When the memfd's content last changed, in milliseconds since the epoch. */
    @Override
    public long lastModified() throws IOException {
        return whileOpen(() -> this.memfd.withRawFd(fd -> new File("/proc/self/fd/" + fd).lastModified()));
    }

    /** Whether the memfd is open and sealed neither against writing nor against future writes. */
    @Override
    public boolean isWritable() {
        try {
            return writeSeal(this.memfd.seals()) == null;
        } catch (MemFdClosedException e) {
            return false;
        }
    }

    /**
     * A new stream that replaces the content: the memfd is truncated to 0 bytes first, as {@code FileSystemResource}
     * truncates its file.
     *
     * @throws WriteSealedException if the memfd is sealed against writing; it is left as it was
     * @throws io.memfd.ResizeSealedException if {@link Seal#SHRINK} forbids truncating a non-empty memfd
     * @throws FileNotFoundException if the memfd is closed
     */
    @Override
    public OutputStream getOutputStream() throws IOException {
        return whileOpen(() -> {
            // Truncation is governed by SHRINK, not WRITE: without this check a write-sealed memfd would lose its
            // content before the first write failed.
            requireNotWriteSealed("open an output stream");
            this.memfd.resize(0);
            return this.memfd.newOutputStream();
        });
    }

    /**
     * A new channel that reads and writes in place from position 0, without truncating (as
     * {@code FileSystemResource}'s does).
     *
     * @throws WriteSealedException if the memfd is sealed against writing
     * @throws FileNotFoundException if the memfd is closed
     */
    @Override
    public WritableByteChannel writableChannel() throws IOException {
        return whileOpen(() -> {
            requireNotWriteSealed("open a writable channel");
            return this.memfd.newByteChannel();
        });
    }

    /** The last {@code /}-separated part of the memfd's name, or {@code null} for an empty name. */
    @Override
    public @Nullable String getFilename() {
        String filename = StringUtils.getFilename(this.memfd.name());
        return StringUtils.hasLength(filename) ? filename : null;
    }

    /** E.g. {@code memfd [logo.png] (fd 42, 5120 bytes, seals [SEAL, SHRINK, GROW, WRITE, EXEC])}. */
    @Override
    public String getDescription() {
        try {
            MemFdInfo info = this.memfd.info();
            return "memfd [" + info.name() + "] (fd " + info.fd() + ", " + info.size() + " bytes, seals "
                    + info.seals() + ")";
        } catch (MemFdClosedException e) {
            return "memfd [" + this.memfd.name() + "] (closed)";
        }
    }

    /** Closes the memfd; idempotent. */
    @Override
    public void close() {
        this.memfd.close();
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return this == other || (other instanceof MemFdResource && ((MemFdResource) other).memfd == this.memfd);
    }

    @Override
    public int hashCode() {
        return this.memfd.hashCode();
    }

    private void requireNotWriteSealed(String operation) {
        Seal seal = writeSeal(this.memfd.seals());
        if (seal != null) {
            throw new WriteSealedException(operation, this.memfd.name(), -1, seal, 0);
        }
    }

    private static @Nullable Seal writeSeal(Set<Seal> seals) {
        for (Seal seal : WRITE_SEALS) {
            if (seals.contains(seal)) {
                return seal;
            }
        }
        return null;
    }

    /**
     * Runs {@code action}, reporting a closed memfd as the missing file it now is. The check comes first because some
     * actions (a new stream) touch the descriptor only when first used.
     */
    private <T> T whileOpen(OpenAction<T> action) throws IOException {
        if (!this.memfd.isOpen()) {
            throw notFound(null);
        }
        try {
            return action.run();
        } catch (MemFdClosedException e) {
            throw notFound(e);
        }
    }

    private FileNotFoundException notFound(@Nullable MemFdClosedException cause) {
        FileNotFoundException notFound = new FileNotFoundException(getDescription() + " does not exist any more");
        notFound.initCause(cause);
        return notFound;
    }

    @FunctionalInterface
    private interface OpenAction<T> {
        T run() throws IOException;
    }
}
