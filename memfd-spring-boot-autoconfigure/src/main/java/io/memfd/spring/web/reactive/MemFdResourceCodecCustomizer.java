package io.memfd.spring.web.reactive;

import java.time.Duration;

import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.http.codec.CodecConfigurer;
import org.springframework.http.codec.ServerCodecConfigurer;

/**
 * Registers {@link MemFdResourceHttpMessageWriter} with the server's codecs, ahead of Spring's resource writer, so
 * that controllers return {@code MemFdResource}s as they return any resource.
 */
public class MemFdResourceCodecCustomizer implements CodecCustomizer {

    private final Duration sendIdleTimeout;

    /** @param sendIdleTimeout see {@link MemFdResourceHttpMessageWriter#MemFdResourceHttpMessageWriter(Duration)} */
    public MemFdResourceCodecCustomizer(Duration sendIdleTimeout) {
        this.sendIdleTimeout = sendIdleTimeout;
    }

    @Override
    public void customize(CodecConfigurer configurer) {
        // Boot applies codec customizers to WebClient too; a client never sends a memfd with sendfile.
        if (configurer instanceof ServerCodecConfigurer) {
            configurer.customCodecs().register(new MemFdResourceHttpMessageWriter(this.sendIdleTimeout));
        }
    }
}
