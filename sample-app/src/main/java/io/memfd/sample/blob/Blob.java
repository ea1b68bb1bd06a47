package io.memfd.sample.blob;

import io.memfd.MemFd;
import io.memfd.spring.io.MemFdResource;

/**
 * One stored blob: a sealed memfd and what was learnt about it when it was stored. Its content cannot change (the
 * store admits only memfds sealed against writing, shrinking and growing), so the size and hash stay true.
 */
public final class Blob {

    private final MemFd memfd;
    private final BlobRecord record;

    Blob(MemFd memfd, BlobRecord record) {
        this.memfd = memfd;
        this.record = record;
    }

    public long id() {
        return this.record.id();
    }

    public BlobRecord record() {
        return this.record;
    }

    /** The strong entity tag: the quoted SHA-256 of the content. */
    public String etag() {
        return "\"" + this.record.sha256() + "\"";
    }

    /**
     * The content as a resource to return from a controller: the starter sends it with {@code sendfile} from a
     * descriptor the response opens for itself, so a download in flight finishes with the bytes it started with even
     * when the blob is deleted meanwhile (the kernel keeps the pages while any descriptor refers to them).
     */
    public MemFdResource resource() {
        return new MemFdResource(this.memfd);
    }

    void close() {
        this.memfd.close();
    }
}
