package io.memfd.spring.web.reactive;

import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.http.codec.CodecConfigurer;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.codec.multipart.MultipartHttpMessageReader;

import io.memfd.spring.io.ReactiveMemFdResources;

/**
 * Makes {@link MemFdPartHttpMessageReader} the server's multipart reader ({@code memfd.web.multipart.enabled}): for
 * parts one by one ({@code BodyExtractors.toParts()}, {@code Flux<Part>}) and, wrapped as Spring wraps its own, for the
 * map of all parts ({@code @RequestPart}, {@code getMultipartData()}).
 */
public class MemFdMultipartCodecCustomizer implements CodecCustomizer {

    private final ReactiveMemFdResources resources;

    public MemFdMultipartCodecCustomizer(ReactiveMemFdResources resources) {
        this.resources = resources;
    }

    @Override
    public void customize(CodecConfigurer configurer) {
        if (configurer instanceof ServerCodecConfigurer) {
            MemFdPartHttpMessageReader parts = new MemFdPartHttpMessageReader(this.resources);
            configurer.customCodecs().register(parts);
            configurer.defaultCodecs().multipartReader(new MultipartHttpMessageReader(parts));
        }
    }
}
