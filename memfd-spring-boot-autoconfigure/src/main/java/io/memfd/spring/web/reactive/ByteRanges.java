package io.memfd.spring.web.reactive;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.MimeTypeUtils;

/**
 * The body of a GET of {@code size} bytes as a {@code Range} header asks for it (RFC 9110, section 14): the whole
 * content (200), one range (206 with {@code Content-Range}), or several ranges (206, {@code multipart/byteranges},
 * each part with its own {@code Content-Type} and {@code Content-Range}). A unit other than {@code bytes} is ignored.
 * Ranges beyond the end are dropped; if none is left, or the header cannot be parsed, or several ranges ask for more
 * bytes than the content has (a known way to make a server work for nothing), {@link #of} throws
 * {@link NotSatisfiable}.
 *
 * @param segments what to send, in order: regions of the file, and for multipart the boundary lines between them
 */
record ByteRanges(HttpStatus status, MediaType contentType, @Nullable String contentRange, List<Segment> segments) {

    static ByteRanges of(long size, MediaType contentType, @Nullable String rangeHeader) {
        List<Segment.Region> regions = regions(size, rangeHeader);
        if (regions.isEmpty()) {
            return new ByteRanges(HttpStatus.OK, contentType, null, List.of(new Segment.Region(0, size)));
        }
        if (regions.size() == 1) {
            Segment.Region region = regions.get(0);
            return new ByteRanges(HttpStatus.PARTIAL_CONTENT, contentType, contentRange(region, size),
                    List.of(region));
        }
        return multipart(size, contentType, regions);
    }

    long contentLength() {
        return this.segments.stream().mapToLong(Segment::length).sum();
    }

    void applyTo(HttpHeaders headers) {
        headers.setContentType(this.contentType);
        headers.setContentLength(contentLength());
        if (this.contentRange != null) {
            headers.set(HttpHeaders.CONTENT_RANGE, this.contentRange);
        }
    }

    /** The requested ranges within the content; empty when the whole content is asked for. */
    private static List<Segment.Region> regions(long size, @Nullable String rangeHeader) {
        if (rangeHeader == null || !rangeHeader.startsWith("bytes=")) {
            // RFC 9110 says to ignore a range unit the server does not know.
            return List.of();
        }
        List<HttpRange> ranges;
        try {
            ranges = HttpRange.parseRanges(rangeHeader);
        } catch (IllegalArgumentException e) {
            throw new NotSatisfiable(size, e.getMessage());
        }
        List<Segment.Region> regions = new ArrayList<>(ranges.size());
        long total = 0;
        for (HttpRange range : ranges) {
            long start = range.getRangeStart(size);
            if (start < size) {
                long count = range.getRangeEnd(size) - start + 1;
                regions.add(new Segment.Region(start, count));
                total += count;
            }
        }
        if (regions.isEmpty()) {
            throw new NotSatisfiable(size, "no range starts before the end of the " + size + " bytes");
        }
        if (regions.size() > 1 && total > size) {
            throw new NotSatisfiable(size,
                    "the ranges ask for " + total + " bytes, more than the " + size + " there are");
        }
        return regions;
    }

    private static ByteRanges multipart(long size, MediaType partType, List<Segment.Region> regions) {
        String boundary = MimeTypeUtils.generateMultipartBoundaryString();
        List<Segment> segments = new ArrayList<>(2 * regions.size() + 1);
        String delimiter = "--" + boundary + "\r\n";
        for (Segment.Region region : regions) {
            segments.add(ascii(delimiter + HttpHeaders.CONTENT_TYPE + ": " + partType + "\r\n"
                    + HttpHeaders.CONTENT_RANGE + ": " + contentRange(region, size) + "\r\n\r\n"));
            segments.add(region);
            delimiter = "\r\n--" + boundary + "\r\n";
        }
        segments.add(ascii("\r\n--" + boundary + "--\r\n"));
        MediaType byteranges = new MediaType("multipart", "byteranges", Map.of("boundary", boundary));
        return new ByteRanges(HttpStatus.PARTIAL_CONTENT, byteranges, null, segments);
    }

    private static String contentRange(Segment.Region region, long size) {
        return "bytes " + region.position() + "-" + (region.position() + region.count() - 1) + "/" + size;
    }

    private static Segment.Bytes ascii(String text) {
        return new Segment.Bytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** A piece of a response body: a byte range of the file, or bytes of the response's own (a boundary). */
    sealed interface Segment {

        long length();

        /** {@code count} bytes of the file from {@code position}. */
        record Region(long position, long count) implements Segment {

            @Override
            public long length() {
                return this.count;
            }
        }

        /** Bytes that are not in the file, such as a multipart boundary and part headers. */
        record Bytes(byte[] bytes) implements Segment {

            @Override
            public long length() {
                return this.bytes.length;
            }
        }
    }

    /** The Range header cannot be served: 416, with {@code Content-Range: bytes *}{@code /SIZE}. */
    static final class NotSatisfiable extends RuntimeException {

        private final long size;

        NotSatisfiable(long size, String reason) {
            super("The Range header cannot be served: " + reason + ".", null, false, false);
            this.size = size;
        }

        long size() {
            return this.size;
        }
    }
}
