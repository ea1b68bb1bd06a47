package io.memfd.sample.blob;

import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.memfd.Seal;

/**
 * What the API says about a blob: the JSON body of {@code POST /blobs}, each element of {@code GET /blobs}, and (for
 * the IPC server) the reply to a hand-off.
 *
 * @param id the blob's number: the memfd registry's id, so {@code /actuator/memfd} shows the same number
 * @param name the name the uploader gave
 * @param size its size in bytes; while it is being received, the bytes so far
 * @param seals the seals its memfd carries; none while it is being received
 * @param sha256 the SHA-256 of its content, in lowercase hex; also its ETag. {@code null} while it is being received
 * @param state {@code stored}, or {@code receiving} while an upload is still streaming in (it can be deleted, which
 *        stops the upload)
 */
public record BlobRecord(long id, String name, long size, Set<Seal> seals, @Nullable String sha256, String state) {

    static final String STORED = "stored";

    static final String RECEIVING = "receiving";
}
