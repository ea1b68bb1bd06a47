package io.memfd.spring.io;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.AbstractResource;
import org.springframework.core.io.WritableResource;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;

/**
 * The resource a {@code memfd:NAME} location denotes: the live buffer the factory created under this name (with its
 * prefix) that is the newest when the resource is used, as a file path denotes whatever file is there when it is
 * opened. An upload still arriving under the name ({@link MemFdResources}, {@link ReactiveMemFdResources}) is not
 * found until it is sealed: a client must not stand in, with bytes it is still sending or may never finish, for the
 * buffer the application serves. Resolved early (an injected {@code @Value}), it finds a buffer created later; while
 * no live buffer has the name, {@link #exists()} is false and reading throws {@link FileNotFoundException}.
 * Everything else is {@link MemFdResource}'s behaviour.
 *
 * <p>Each use looks the name up anew, so two uses (the length, then the bytes) can meet two buffers when an upload
 * replaces one meanwhile. Whatever is made of one buffer takes {@link #resolve()} once and uses that; the starter's
 * WebFlux writer and Spring MVC converters do so for every response.
 */
public final class NamedMemFdResource extends AbstractResource implements WritableResource {

    private final Supplier<MemFdFactory> factory;
    private final Supplier<@Nullable MemFdUploads> uploads;
    private final String name;

    NamedMemFdResource(Supplier<MemFdFactory> factory, Supplier<@Nullable MemFdUploads> uploads, String name) {
        this.factory = factory;
        this.uploads = uploads;
        this.name = name;
    }

    /**
     * The buffer that has the name now, as a {@link MemFdResource}: what one response, or any other single use, is made
     * of.
     *
     * @throws FileNotFoundException if no live buffer has the name now
     */
    public MemFdResource resolve() throws FileNotFoundException {
        return require();
    }

    @Override
    public boolean exists() {
        return current() != null;
    }

    @Override
    public File getFile() throws IOException {
        return require().getFile();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return require().getInputStream();
    }

    @Override
    public ReadableByteChannel readableChannel() throws IOException {
        return require().readableChannel();
    }

    @Override
    public byte[] getContentAsByteArray() throws IOException {
        return require().getContentAsByteArray();
    }

    @Override
    public long contentLength() throws IOException {
        return require().contentLength();
    }

    @Override
    public long lastModified() throws IOException {
        return require().lastModified();
    }

    @Override
    public boolean isWritable() {
        MemFdResource current = current();
        return current != null && current.isWritable();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return require().getOutputStream();
    }

    @Override
    public WritableByteChannel writableChannel() throws IOException {
        return require().writableChannel();
    }

    /** The last {@code /}-separated part of the name, whether or not a buffer has it now. */
    @Override
    public @Nullable String getFilename() {
        return MemFdResource.filenameOf(this.name);
    }

    @Override
    public String getDescription() {
        MemFdResource current = current();
        return current != null ? current.getDescription() : "memfd [" + this.name + "] (no live buffer has this name)";
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return this == other || (other instanceof NamedMemFdResource
                && ((NamedMemFdResource) other).factory == this.factory
                && ((NamedMemFdResource) other).name.equals(this.name));
    }

    @Override
    public int hashCode() {
        return this.name.hashCode();
    }

    private @Nullable MemFdResource current() {
        MemFdFactory factory = this.factory.get();
        String fullName = factory.namePrefix() + this.name;
        MemFdUploads uploads = this.uploads.get();
        Optional<MemFd> found = (uploads == null) ? factory.registry().find(fullName)
                : uploads.lookUp(() -> factory.registry().find(fullName, (memfd) -> !uploads.isReceiving(memfd)));
        return found.map(MemFdResource::new).orElse(null);
    }

    private MemFdResource require() throws FileNotFoundException {
        MemFdResource current = current();
        if (current == null) {
            throw new FileNotFoundException(getDescription() + " cannot be opened because it does not exist");
        }
        return current;
    }
}
