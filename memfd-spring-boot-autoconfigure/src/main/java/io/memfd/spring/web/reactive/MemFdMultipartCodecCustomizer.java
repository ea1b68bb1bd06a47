package io.memfd.spring.web.reactive;

import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.boot.webflux.autoconfigure.ReactiveMultipartProperties;
import org.springframework.http.codec.CodecConfigurer;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.codec.multipart.MultipartHttpMessageReader;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.util.unit.DataSize;

import io.memfd.spring.io.ReactiveMemFdResources;

/**
 * Makes {@link MemFdPartHttpMessageReader} the server's multipart reader ({@code memfd.web.multipart.enabled}): for
 * parts one by one ({@code BodyExtractors.toParts()}, {@code Flux<Part>}) and, wrapped as Spring wraps its own, for the
 * map of all parts ({@code @RequestPart}, {@code getMultipartData()}).
 *
 * <p>Boot's {@code spring.webflux.multipart.*} limits hold as for Spring's default reader, each answered 413:
 * max-in-memory-size for form fields, max-disk-usage-per-part for every part (a file part is held in a memfd instead
 * of on disk, and stays within {@code memfd.max-size} too), max-parts, max-headers-size; headers-charset is used to
 * parse. file-storage-directory does not apply: no file is stored anywhere.
 */
public class MemFdMultipartCodecCustomizer implements CodecCustomizer {

    private final ReactiveMemFdResources resources;

    private final ReactiveMultipartProperties multipart;

    public MemFdMultipartCodecCustomizer(ReactiveMemFdResources resources, ReactiveMultipartProperties multipart) {
        this.resources = resources;
        this.multipart = multipart;
    }

    @Override
    public void customize(CodecConfigurer configurer) {
        if (configurer instanceof ServerCodecConfigurer) {
            MemFdPartHttpMessageReader parts = new MemFdPartHttpMessageReader(events(), this.resources);
            Integer maxParts = this.multipart.getMaxParts();
            if (maxParts != null) {
                parts.setMaxParts(maxParts);
            }
            configurer.customCodecs().register(parts);
            configurer.defaultCodecs().multipartReader(new MultipartHttpMessageReader(parts));
        }
    }

    /** Spring's parser with Boot's limits, where set ({@code -1} or absent: Spring's default). */
    private PartEventHttpMessageReader events() {
        PartEventHttpMessageReader events = new PartEventHttpMessageReader();
        DataSize inMemory = this.multipart.getMaxInMemorySize();
        if (inMemory != null) {
            events.setMaxInMemorySize(Math.toIntExact(inMemory.toBytes()));
        }
        DataSize headers = this.multipart.getMaxHeadersSize();
        if (headers != null) {
            events.setMaxHeadersSize(Math.toIntExact(headers.toBytes()));
        }
        DataSize perPart = this.multipart.getMaxDiskUsagePerPart();
        if (perPart != null) {
            events.setMaxPartSize(perPart.toBytes());
        }
        if (this.multipart.getHeadersCharset() != null) {
            events.setHeadersCharset(this.multipart.getHeadersCharset());
        }
        return events;
    }
}
