package io.memfd.spring.autoconfigure.actuate.endpoint;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

import io.memfd.MemFdFactory;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.MemFdReactiveAutoConfiguration;
import io.memfd.spring.io.MemFdUploads;
import io.memfd.spring.actuate.endpoint.MemFdEndpoint;

/**
 * Registers the {@code memfd} endpoint ({@link MemFdEndpoint}) when Actuator is present and the endpoint is exposed,
 * e.g. with {@code management.endpoints.web.exposure.include=health,memfd}; like every endpoint but health, it is not
 * exposed by default.
 */
@AutoConfiguration(after = { MemFdAutoConfiguration.class, MemFdReactiveAutoConfiguration.class })
@ConditionalOnClass(Endpoint.class)
@ConditionalOnSingleCandidate(MemFdFactory.class)
public final class MemFdEndpointAutoConfiguration {

    /** Conditions from Actuator go on the method, read only once Actuator is known to be present. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    MemFdEndpoint memFdEndpoint(MemFdFactory memFdFactory, ObjectProvider<MemFdUploads> uploads) {
        return new MemFdEndpoint(memFdFactory.registry(), uploads.getIfAvailable(MemFdUploads::new));
    }
}
