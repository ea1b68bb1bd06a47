package io.memfd.spring.autoconfigure.web.reactive;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.boot.webflux.autoconfigure.ReactiveMultipartProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.codec.ResourceHttpMessageWriter;
import org.springframework.web.server.WebExceptionHandler;

import io.memfd.MemFdFactory;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.MemFdReactiveAutoConfiguration;
import io.memfd.spring.autoconfigure.web.MemFdWebProperties;
import io.memfd.spring.io.ReactiveMemFdResources;
import io.memfd.spring.web.reactive.MemFdMultipartCodecCustomizer;
import io.memfd.spring.web.reactive.MemFdProblemWebExceptionHandler;
import io.memfd.spring.web.reactive.MemFdResourceCodecCustomizer;

/**
 * memfd in WebFlux applications: {@code MemFdResource}s returned from controllers go out with {@code sendfile(2)}
 * ({@code memfd.web.serving.enabled}), memfd's limits are answered as problem details
 * ({@code memfd.web.problem-details.enabled}), and on request multipart files are stored in memfds
 * ({@code memfd.web.multipart.enabled}). Each bean backs off when the application defines its own.
 */
@AutoConfiguration(after = { MemFdAutoConfiguration.class, MemFdReactiveAutoConfiguration.class })
@ConditionalOnWebApplication(type = Type.REACTIVE)
@ConditionalOnClass({ CodecCustomizer.class, ResourceHttpMessageWriter.class, WebExceptionHandler.class })
@ConditionalOnBean(MemFdFactory.class)
public final class MemFdWebFluxAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "memfd.web.serving.enabled", matchIfMissing = true)
    MemFdResourceCodecCustomizer memFdResourceCodecCustomizer(MemFdWebProperties properties) {
        return new MemFdResourceCodecCustomizer(properties.getServing().getIdleTimeout(),
                properties.getServing().getMinimumRate());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "memfd.web.problem-details.enabled", matchIfMissing = true)
    MemFdProblemWebExceptionHandler memFdProblemWebExceptionHandler() {
        return new MemFdProblemWebExceptionHandler();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "memfd.web.multipart.enabled", havingValue = "true")
    @ConditionalOnBean(ReactiveMemFdResources.class)
    @ConditionalOnClass(name = "org.springframework.boot.webflux.autoconfigure.ReactiveMultipartProperties")
    MemFdMultipartCodecCustomizer memFdMultipartCodecCustomizer(ReactiveMemFdResources resources,
            Environment environment) {
        // Bound here rather than injected: Boot registers them only with its own multipart configuration.
        return new MemFdMultipartCodecCustomizer(resources,
                Binder.get(environment).bindOrCreate("spring.webflux.multipart", ReactiveMultipartProperties.class));
    }
}
