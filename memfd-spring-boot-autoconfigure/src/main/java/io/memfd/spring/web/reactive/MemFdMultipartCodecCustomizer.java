package io.memfd.spring.web.reactive;

import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.http.codec.CodecConfigurer;
import org.springframework.http.codec.ServerCodecConfigurer;

import io.memfd.spring.io.ReactiveMemFdResources;

/** Makes {@link MemFdPartHttpMessageReader} the server's multipart reader ({@code memfd.web.multipart.enabled}). */
public class MemFdMultipartCodecCustomizer implements CodecCustomizer {

    private final ReactiveMemFdResources resources;

    public MemFdMultipartCodecCustomizer(ReactiveMemFdResources resources) {
        this.resources = resources;
    }

    @Override
    public void customize(CodecConfigurer configurer) {
        if (configurer instanceof ServerCodecConfigurer) {
            configurer.defaultCodecs().multipartReader(new MemFdPartHttpMessageReader(this.resources));
        }
    }
}
