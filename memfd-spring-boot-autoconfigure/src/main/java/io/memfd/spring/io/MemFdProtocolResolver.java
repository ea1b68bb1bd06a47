package io.memfd.spring.io;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.ProtocolResolver;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

import io.memfd.MemFdFactory;

/**
 * Resolves {@code memfd:NAME} locations to the live buffer of that name in a {@link MemFdFactory}'s registry, so that
 * {@code ResourceLoader.getResource("memfd:report")} and {@code @Value("memfd:report") Resource} work. NAME is the name
 * as the application gave it to the factory ({@code factory.create("report")}, {@code MemFdResources}): the factory's
 * name prefix ({@code memfd.name-prefix}) is added to it, as it was to the buffer. NAME is taken literally: no URL
 * decoding. Buffers the factory adopted from other processes are never found: their senders chose their names.
 *
 * <p>The resource looks the name up each time it is used, not when it is resolved: like a file path, it denotes
 * whichever buffer has the name now, and {@code exists()} is false while none has. The Spring Boot auto-configuration
 * registers this resolver with the application context; elsewhere,
 * {@code context.addProtocolResolver(new MemFdProtocolResolver(() -> factory))}.
 */
public final class MemFdProtocolResolver implements ProtocolResolver {

    /** The location prefix this resolver answers to. */
    public static final String PREFIX = "memfd:";

    private final Supplier<MemFdFactory> factory;

    private final Supplier<@Nullable MemFdUploads> uploads;

    /**
     * A resolver whose resources find any buffer of the name, uploads still arriving included.
     *
     * @param factory supplies the factory whose buffers are looked up, when a resolved resource is first used (so that
     *        resolving never forces the factory into existence)
     */
    public MemFdProtocolResolver(Supplier<MemFdFactory> factory) {
        this(factory, () -> null);
    }

    /**
     * @param factory supplies the factory whose buffers are looked up, when a resolved resource is first used (so that
     *        resolving never forces the factory into existence)
     * @param uploads supplies the uploads in progress ({@code null} for none), whose memfds are never found by name
     *        until they are finished
     */
    public MemFdProtocolResolver(Supplier<MemFdFactory> factory, Supplier<@Nullable MemFdUploads> uploads) {
        this.factory = factory;
        this.uploads = uploads;
    }

    @Override
    public @Nullable Resource resolve(String location, ResourceLoader resourceLoader) {
        if (!location.startsWith(PREFIX)) {
            return null;
        }
        return new NamedMemFdResource(this.factory, this.uploads, location.substring(PREFIX.length()));
    }
}
