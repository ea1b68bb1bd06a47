package io.memfd.spring.autoconfigure.ipc;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.memfd.MemFdFactory;
import io.memfd.ipc.MemFdClient;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;

/**
 * Auto-configuration of the zero-copy IPC client ({@code memfd.ipc.client.*}, {@link MemFdIpcProperties.Client}), where
 * memfd support is (a single {@link MemFdFactory} bean, or a primary one, exists): once {@code memfd.ipc.client.path}
 * names a server, a {@link MemFdClient} for it. There is no default path for the client: sending buffers to a guessed
 * socket would hand them to whoever created it.
 */
@AutoConfiguration(after = MemFdAutoConfiguration.class)
@ConditionalOnSingleCandidate(MemFdFactory.class)
@EnableConfigurationProperties(MemFdIpcProperties.class)
public final class MemFdIpcClientAutoConfiguration {

    /** The client; it connects on first use, so it may be created before its server starts. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty("memfd.ipc.client.path")
    MemFdClient memFdClient(MemFdIpcProperties properties) {
        MemFdIpcProperties.Client client = properties.getClient();
        MemFdClient.Builder builder = MemFdClient.builder(client.getPath())
            .connectTimeout(client.getConnectTimeout())
            .replyTimeout(client.getReplyTimeout())
            .maxPayloadSize((int) client.getMaxPayloadSize().toBytes());
        if (!MemFdIpcProperties.isUnset(client.getAllowedServerUids())) {
            builder.allowedServerUids(client.getAllowedServerUids());
        }
        return builder.build();
    }
}
