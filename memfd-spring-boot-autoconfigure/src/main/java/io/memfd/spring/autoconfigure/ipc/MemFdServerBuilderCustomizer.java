package io.memfd.spring.autoconfigure.ipc;

import io.memfd.ipc.MemFdServer;

/**
 * Customizes the auto-configured {@link MemFdServer} after the {@code memfd.ipc.server.*} properties were applied, for
 * settings that belong in code rather than in configuration, e.g. {@code bufferRequired(false)} for a handler that
 * also takes header-only messages. Beans of this type are applied in their
 * {@link org.springframework.core.annotation.Order order}, once: every start of the server uses the same builder.
 */
@FunctionalInterface
public interface MemFdServerBuilderCustomizer {

    void customize(MemFdServer.Builder builder);
}
