package io.memfd.sample.web;

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
 * content (200), one range (206 with {@code Content-Range}), or several ranges (206, {@code multipart/byteranges}, each
 * part with its own {@code Content-Type} and {@code Content-Range}). A unit other than {@code bytes} is ignored. Ranges
 * beyond the end are dropped; if none is left, or the header cannot be parsed, or several ranges ask for more bytes than the content has (a known way to make
 * a server work for nothing), the answer is 416.
 *
 * @param segments what to send, in order: file regions, and for multipart the boundary lines between them
 */
record RangeBody(HttpStatus status, MediaType contentType, @Nullable String contentRange, List<BodySegment> segments) {

    static RangeBody of(long size, MediaType contentType, @Nullable String rangeHeader) {
        List<BodySegment.Region> regions = regions(size, rangeHeader);
        if (regions.isEmpty()) {
            return new RangeBody(HttpStatus.OK, contentType, null, List.of(new BodySegment.Region(0, size)));
        }
        if (regions.size() == 1) {
            BodySegment.Region region = regions.get(0);
            return new RangeBody(HttpStatus.PARTIAL_CONTENT, contentType, contentRange(region, size), List.of(region));
        }
        return multipart(size, contentType, regions);
    }

    long contentLength() {
        return this.segments.stream().mapToLong(BodySegment::length).sum();
    }

    void applyTo(HttpHeaders headers) {
        headers.setContentType(this.contentType);
        headers.setContentLength(contentLength());
        if (this.contentRange != null) {
            headers.set(HttpHeaders.CONTENT_RANGE, this.contentRange);
        }
    }

    /** The requested ranges within the content; empty when the whole content is asked for. */
    private static List<BodySegment.Region> regions(long size, @Nullable String rangeHeader) {
        if (rangeHeader == null || !rangeHeader.startsWith("bytes=")) {
            // RFC 9110 says to ignore a range unit the server does not know.
            return List.of();
        }
        List<HttpRange> ranges;
        try {
            ranges = HttpRange.parseRanges(rangeHeader);
        } catch (IllegalArgumentException e) {
            throw new RangeNotSatisfiableException(size, e.getMessage());
        }
        List<BodySegment.Region> regions = new ArrayList<>(ranges.size());
        long total = 0;
        for (HttpRange range : ranges) {
            long start = range.getRangeStart(size);
            if (start < size) {
                long count = range.getRangeEnd(size) - start + 1;
                regions.add(new BodySegment.Region(start, count));
                total += count;
            }
        }
        if (regions.isEmpty()) {
            throw new RangeNotSatisfiableException(size, "no range starts before the end of the " + size + " bytes");
        }
        if (regions.size() > 1 && total > size) {
            throw new RangeNotSatisfiableException(size,
                    "the ranges ask for " + total + " bytes, more than the " + size + " there are");
        }
        return regions;
    }

    private static RangeBody multipart(long size, MediaType partType, List<BodySegment.Region> regions) {
        String boundary = MimeTypeUtils.generateMultipartBoundaryString();
        List<BodySegment> segments = new ArrayList<>(2 * regions.size() + 1);
        String delimiter = "--" + boundary + "\r\n";
        for (BodySegment.Region region : regions) {
            segments.add(ascii(delimiter + HttpHeaders.CONTENT_TYPE + ": " + partType + "\r\n"
                    + HttpHeaders.CONTENT_RANGE + ": " + contentRange(region, size) + "\r\n\r\n"));
            segments.add(region);
            delimiter = "\r\n--" + boundary + "\r\n";
        }
        segments.add(ascii("\r\n--" + boundary + "--\r\n"));
        MediaType byteranges = new MediaType("multipart", "byteranges", Map.of("boundary", boundary));
        return new RangeBody(HttpStatus.PARTIAL_CONTENT, byteranges, null, segments);
    }

    private static String contentRange(BodySegment.Region region, long size) {
        return "bytes " + region.position() + "-" + (region.position() + region.count() - 1) + "/" + size;
    }

    private static BodySegment.Bytes ascii(String text) {
        return new BodySegment.Bytes(text.getBytes(StandardCharsets.US_ASCII));
    }
}
