package io.memfd.spring.autoconfigure.ipc;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.ipc.MemFdHandler;
import io.memfd.ipc.MemFdServer;
import io.memfd.ipc.MemFdServerListener;
import io.memfd.ipc.PeerCredentials;
import io.memfd.ipc.RejectReason;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.ipc.MemFdServerLifecycle;

/**
 * Auto-configuration of the zero-copy IPC server ({@code memfd.ipc.server.*}, {@link MemFdIpcProperties.Server}),
 * where memfd support is (a single {@link MemFdFactory} bean, or a primary one, exists). It binds and validates
 * {@code memfd.ipc.*} in any case; with {@code memfd.ipc.server.enabled=true} it adds a {@link MemFdServerLifecycle}
 * that serves the socket while the context runs and hands each accepted buffer to the application's
 * {@link MemFdHandler} bean. Buffers are adopted through the {@code MemFdFactory}, so its registry lists them and its
 * limits apply. Every {@link MemFdServerListener} bean hears of accepted and rejected messages (the Actuator metrics
 * are one). Without a handler bean, start-up fails with Spring Boot's report of the missing bean: a server that was
 * asked for and cannot serve should not pass unnoticed.
 */
@AutoConfiguration(after = MemFdAutoConfiguration.class)
@ConditionalOnSingleCandidate(MemFdFactory.class)
@EnableConfigurationProperties(MemFdIpcProperties.class)
public final class MemFdIpcServerAutoConfiguration {

    /**
     * The server; the handler is a required dependency on purpose (see the class comment). Without a buffer limit of
     * its own, the server takes the factory's, so that raising memfd.max-size raises both (the server's own default,
     * 1 GiB, would otherwise cap a larger factory limit).
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty("memfd.ipc.server.enabled")
    MemFdServerLifecycle memFdServerLifecycle(MemFdIpcProperties properties, MemFdHandler memFdHandler,
            MemFdFactory memFdFactory, ObjectProvider<MemFdServerListener> listeners,
            ObjectProvider<MemFdServerBuilderCustomizer> customizers, Environment environment) {
        MemFdIpcProperties.Server server = properties.getServer();
        Path path = (server.getPath() != null) ? server.getPath() : defaultPath(environment);
        OptionalLong maxBufferSize = (server.getMaxBufferSize() != null)
                ? OptionalLong.of(server.getMaxBufferSize().toBytes()) : memFdFactory.registry().maxSize();
        MemFdServer.Builder builder = MemFdServer.builder(path)
            .handler(memFdHandler)
            .factory(memFdFactory)
            .requiredSeals(server.getRequiredSeals())
            .fileMode(server.fileModePermissions())
            .maxPayloadSize((int) server.getMaxPayloadSize().toBytes())
            .maxConnections(server.getMaxConnections())
            .idleTimeout(server.getIdleTimeout())
            .shutdownTimeout(server.getShutdownTimeout())
            .listener(allOf(listeners.orderedStream().toList()));
        maxBufferSize.ifPresent(builder::maxBufferSize);
        if (!MemFdIpcProperties.isUnset(server.getAllowedUids())) {
            builder.allowedUids(server.getAllowedUids());
        }
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        return new MemFdServerLifecycle(builder, describe(server, maxBufferSize));
    }

    /**
     * {@code memfd-NAME.sock} in {@link MemFdServer#defaultDirectory()} (a directory only this user may enter), NAME
     * being the application's name made safe for a path.
     */
    static Path defaultPath(Environment environment) {
        String name = environment.getProperty("spring.application.name", "");
        String safeName = name.trim().replaceAll("[^A-Za-z0-9._-]", "_");
        String file = safeName.isEmpty() ? "memfd.sock" : "memfd-" + safeName + ".sock";
        return MemFdServer.defaultDirectory().resolve(file);
    }

    private static String describe(MemFdIpcProperties.Server server, OptionalLong maxBufferSize) {
        Set<Seal> seals = server.getRequiredSeals();
        String uids = MemFdIpcProperties.isUnset(server.getAllowedUids()) ? "this user only"
                : "uids " + server.getAllowedUids();
        String limit = maxBufferSize.isPresent() ? ", buffers up to " + maxBufferSize.getAsLong() + " bytes" : "";
        String unsafe = seals.contains(Seal.SHRINK) ? ""
                : "; shrink is not required, so received buffers cannot be mapped";
        String growable = seals.contains(Seal.GROW) ? ""
                : "; grow is not required, so senders can grow buffers past the limits after they were accepted";
        return "mode " + server.getFileMode() + ", " + uids + ", required seals " + seals + limit + unsafe + growable;
    }

    /** Tells every listener, in order. */
    private static MemFdServerListener allOf(List<MemFdServerListener> listeners) {
        if (listeners.size() == 1) {
            return listeners.get(0);
        }
        return new MemFdServerListener() {
            @Override
            public void accepted(PeerCredentials peer, long bufferSize) {
                listeners.forEach((listener) -> listener.accepted(peer, bufferSize));
            }

            @Override
            public void rejected(PeerCredentials peer, RejectReason reason, String detail) {
                listeners.forEach((listener) -> listener.rejected(peer, reason, detail));
            }
        };
    }
}
