package io.memfd.spring.web.reactive;

import org.springframework.http.HttpHeaders;

/**
 * Whether an {@code If-Range} validator names the version being served (RFC 9110, section 13.1.5): an entity tag must
 * equal the response's strong {@code ETag}; a date must equal its {@code Last-Modified}.
 */
final class IfRange {

    private IfRange() {
    }

    static boolean matches(String validator, HttpHeaders response) {
        String value = validator.trim();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            String etag = response.getETag();
            return !value.startsWith("W/") && etag != null && !etag.startsWith("W/") && etag.equals(value);
        }
        long lastModified = response.getLastModified();
        if (lastModified < 0) {
            return false;
        }
        HttpHeaders parsed = new HttpHeaders();
        parsed.set(HttpHeaders.DATE, value);
        try {
            return parsed.getDate() == lastModified;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
