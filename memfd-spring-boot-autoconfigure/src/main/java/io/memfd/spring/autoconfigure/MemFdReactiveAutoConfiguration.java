package io.memfd.spring.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.http.codec.multipart.Part;
import reactor.core.publisher.Mono;

import io.memfd.MemFdFactory;
import io.memfd.spring.autoconfigure.web.MemFdWebProperties;
import io.memfd.spring.io.MemFdUploads;
import io.memfd.spring.io.ReactiveMemFdResources;

/**
 * Streaming reactive content into memfds, where Reactor and Spring Web are present: {@link ReactiveMemFdResources} on
 * the application's single {@link MemFdFactory}, listing its uploads in progress in {@link MemFdUploads}.
 */
@AutoConfiguration(after = MemFdAutoConfiguration.class)
@ConditionalOnClass({ Mono.class, Part.class })
@ConditionalOnSingleCandidate(MemFdFactory.class)
public final class MemFdReactiveAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ReactiveMemFdResources reactiveMemFdResources(MemFdFactory memFdFactory, MemFdUploads memFdUploads,
            MemFdWebProperties properties) {
        return new ReactiveMemFdResources(memFdFactory, memFdUploads, properties.getUploadIdleTimeout(),
                properties.getUploadMinimumRate());
    }
}
