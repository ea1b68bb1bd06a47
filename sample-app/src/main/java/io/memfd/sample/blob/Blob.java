package io.memfd.sample.blob;

import java.nio.channels.FileChannel;

import io.memfd.MemFd;
import io.memfd.MemFdClosedException;

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

    public long size() {
        return this.record.size();
    }

    public BlobRecord record() {
        return this.record;
    }

    /** The strong entity tag: the quoted SHA-256 of the content. */
    public String etag() {
        return "\"" + this.record.sha256() + "\"";
    }

    /**
     * A new read-only channel of its own on the content, which the caller closes. It stays valid when the blob is
     * deleted meanwhile: the kernel keeps the memfd's pages for as long as any descriptor refers to them, so a download
     * in flight finishes with the bytes it started with.
     *
     * @throws BlobNotFoundException if the blob was deleted before the channel could be opened
     */
    public FileChannel openChannel() {
        try {
            return this.memfd.newFileChannel();
        } catch (MemFdClosedException e) {
            throw new BlobNotFoundException(id());
        }
    }

    void close() {
        this.memfd.close();
    }
}
