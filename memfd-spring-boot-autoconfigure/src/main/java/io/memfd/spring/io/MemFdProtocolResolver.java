package io.memfd.spring.io;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.ProtocolResolver;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

import io.memfd.MemFdRegistry;

/**
 * Resolves {@code memfd:NAME} locations to the live buffer of that name in a {@link MemFdRegistry}, so that
 * {@code ResourceLoader.getResource("memfd:report")} and {@code @Value("memfd:report") Resource} work. NAME is the
 * buffer's full name, as the registry and {@code /proc} show it (including a factory's name prefix), taken literally:
 * no URL decoding.
 *
 * <p>The resource looks the name up each time it is used, not when it is resolved: like a file path, it denotes
 * whichever buffer has the name now, and {@code exists()} is false while none has. The Spring Boot auto-configuration
 * registers this resolver with the application context; elsewhere,
 * {@code context.addProtocolResolver(new MemFdProtocolResolver(factory::registry))}.
 */
public final class MemFdProtocolResolver implements ProtocolResolver {

    /** The location prefix this resolver answers to. */
    public static final String PREFIX = "memfd:";

    private final Supplier<MemFdRegistry> registry;

    /**
     * @param registry supplies the registry whose buffers are looked up, when a resolved resource is first used (so
     *        that resolving never forces the registry's factory into existence)
     */
    public MemFdProtocolResolver(Supplier<MemFdRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public @Nullable Resource resolve(String location, ResourceLoader resourceLoader) {
        if (!location.startsWith(PREFIX)) {
            return null;
        }
        return new NamedMemFdResource(this.registry, location.substring(PREFIX.length()));
    }
}
