package io.memfd.spring.web.servlet;

import java.io.IOException;
import java.util.Collection;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.support.ResourceRegion;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.ResourceRegionHttpMessageConverter;

import io.memfd.spring.io.MemFdResource;

/**
 * Spring MVC's range responses ({@code 206}), with a single range of a {@link MemFdResource} sent on Jetty as
 * read-only mappings without a copy through Java memory ({@link MappedResponseBody}). The headers are Spring's; every
 * other region (another resource, several ranges, another container, a memfd that cannot be mapped) is left to
 * {@link ResourceRegionHttpMessageConverter} as it is.
 */
public class MemFdResourceRegionHttpMessageConverter extends ResourceRegionHttpMessageConverter {

    /**
     * A single range of a memfd has the type its name implies, as the whole resource has: Spring MVC would give it the
     * type it negotiated for the body, which is {@code application/json} wherever Jackson is present.
     */
    @Override
    protected void addDefaultHeaders(HttpHeaders headers, Object region, @Nullable MediaType contentType)
            throws IOException {
        // Spring MVC hands over a list of regions, also for a single range.
        Object single = (region instanceof Collection<?> regions && regions.size() == 1)
                ? regions.iterator().next() : region;
        boolean memfd = single instanceof ResourceRegion one && one.getResource() instanceof MemFdResource;
        super.addDefaultHeaders(headers, region, memfd ? getDefaultContentType(single) : contentType);
    }

    @Override
    protected void writeResourceRegion(ResourceRegion region, HttpOutputMessage message) throws IOException {
        if (!(region.getResource() instanceof MemFdResource resource)) {
            super.writeResourceRegion(region, message);
            return;
        }
        // As Spring computes them: a region may reach past the end, which the response does not.
        long length = resource.contentLength();
        long start = region.getPosition();
        long end = Math.min(start + region.getCount() - 1, length - 1);
        MappedResponseBody mapped = MappedResponseBody.prepare(resource.getMemFd(), start, end - start + 1, message);
        if (mapped == null) {
            super.writeResourceRegion(region, message);
            return;
        }
        HttpHeaders headers = message.getHeaders();
        headers.add(HttpHeaders.CONTENT_RANGE, "bytes " + start + '-' + end + '/' + length);
        headers.setContentLength(end - start + 1);
        message.getBody();
        mapped.send();
    }
}
