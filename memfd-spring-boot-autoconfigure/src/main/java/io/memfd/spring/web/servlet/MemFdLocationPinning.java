package io.memfd.spring.web.servlet;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.core.io.support.ResourceRegion;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.NamedMemFdResource;
import io.memfd.spring.web.MemFdLocations;

/**
 * Makes each response of a {@code memfd:} location ({@code @Value("memfd:terms.html") Resource} returned from a
 * controller) out of one buffer. Such a resource looks its name up at every use, and Spring MVC uses it several times
 * (its length for the ranges and headers, then its bytes): an upload replacing the buffer in between would give a
 * response the length of one buffer and the bytes of another. Here, once Spring MVC has chosen the converter and
 * before it writes, the body (or the ranges cut from it) is replaced by the buffer that has the name at that moment;
 * none is a 404.
 */
@ControllerAdvice
public class MemFdLocationPinning implements ResponseBodyAdvice<Object> {

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public @Nullable Object beforeBodyWrite(@Nullable Object body, MethodParameter returnType,
            MediaType selectedContentType, Class<? extends HttpMessageConverter<?>> selectedConverterType,
            ServerHttpRequest request, ServerHttpResponse response) {
        if (body instanceof NamedMemFdResource named) {
            return MemFdLocations.resolve(named);
        }
        if (body instanceof List<?> regions && !regions.isEmpty() && regions.get(0) instanceof ResourceRegion first
                && first.getResource() instanceof NamedMemFdResource named) {
            MemFdResource pinned = MemFdLocations.resolve(named);
            return regions.stream()
                .map((region) -> new ResourceRegion(pinned, ((ResourceRegion) region).getPosition(),
                        ((ResourceRegion) region).getCount()))
                .toList();
        }
        return body;
    }
}
