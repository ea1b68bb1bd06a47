package io.memfd.spring.web.reactive;

import java.time.Duration;

import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.http.codec.CodecConfigurer;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.util.unit.DataSize;

/**
 * Registers {@link MemFdResourceHttpMessageWriter} with the server's codecs, ahead of Spring's resource writer, so
 * that controllers return {@code MemFdResource}s as they return any resource.
 */
public class MemFdResourceCodecCustomizer implements CodecCustomizer {

    private final Duration sendIdleTimeout;

    private final DataSize sendMinimumRate;

    /** @param sendIdleTimeout see {@link MemFdResourceHttpMessageWriter#MemFdResourceHttpMessageWriter(Duration)} */
    public MemFdResourceCodecCustomizer(Duration sendIdleTimeout) {
        this(sendIdleTimeout, DataSize.ofBytes(0));
    }

    /**
     * @param sendIdleTimeout see {@link MemFdResourceHttpMessageWriter#MemFdResourceHttpMessageWriter(Duration,
     *        DataSize)}
     * @param sendMinimumRate see {@link MemFdResourceHttpMessageWriter#MemFdResourceHttpMessageWriter(Duration,
     *        DataSize)}
     */
    public MemFdResourceCodecCustomizer(Duration sendIdleTimeout, DataSize sendMinimumRate) {
        this.sendIdleTimeout = sendIdleTimeout;
        this.sendMinimumRate = sendMinimumRate;
    }

    @Override
    public void customize(CodecConfigurer configurer) {
        // Boot applies codec customizers to WebClient too; a client never sends a memfd with sendfile.
        if (configurer instanceof ServerCodecConfigurer) {
            configurer.customCodecs().register(new MemFdResourceHttpMessageWriter(this.sendIdleTimeout,
                    this.sendMinimumRate));
        }
    }
}
