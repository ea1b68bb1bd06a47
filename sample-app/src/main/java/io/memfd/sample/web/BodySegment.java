package io.memfd.sample.web;

/** A piece of a response body: a byte range of the file being sent, or bytes of the response's own (a boundary). */
sealed interface BodySegment {

    long length();

    /** {@code count} bytes of the file from {@code position}. */
    record Region(long position, long count) implements BodySegment {

        @Override
        public long length() {
            return this.count;
        }
    }

    /** Bytes that are not in the file, such as a multipart boundary and part headers. */
    record Bytes(byte[] bytes) implements BodySegment {

        @Override
        public long length() {
            return this.bytes.length;
        }
    }
}
