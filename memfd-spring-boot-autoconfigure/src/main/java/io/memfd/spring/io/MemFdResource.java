package io.memfd.spring.io;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
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
 * <p><b>Files.</b> {@link #isFile()} is false and {@link #getFile()} throws {@link FileNotFoundException}. A memfd
 * has no path of its own; {@code /proc/PID/fd/N} names it only while its descriptor is open, and the kernel gives the
 * number to the next file opened after a close. Code that takes a path and opens it later (Spring WebFlux's zero-copy
 * writer, Tomcat's sendfile) could then send an unrelated file. {@link #readableChannel()} is the safe way to send
 * the bytes with {@code sendfile}: the channel holds a descriptor of its own, valid however long the transfer takes.
 * {@link #createRelative} is not supported: a memfd lives in no directory. {@link #lastModified()} is the memfd's
 * modification time.
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

    /**
     * Always: a memfd has no path that stays its own (see the class documentation).
     *
     * @throws FileNotFoundException always
     */
    @Override
    public File getFile() throws IOException {
        throw new FileNotFoundException(getDescription() + " has no file path: /proc/self/fd/N would name another"
                + " file once the memfd is closed; read it through readableChannel() or getInputStream()");
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
        return whileOpen(() -> this.memfd.lastModified().toEpochMilli());
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
        return filenameOf(this.memfd.name());
    }

    /** The last {@code /}-separated part of {@code name}, so that media types follow its extension. */
    static @Nullable String filenameOf(String name) {
        String filename = StringUtils.getFilename(name);
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
