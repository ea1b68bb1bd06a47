package io.memfd.sample.blob;

import java.util.Set;

import io.memfd.Seal;

/**
 * What the API says about a blob: the JSON body of {@code POST /blobs}, each element of {@code GET /blobs}, and (for
 * the IPC server) the reply to a hand-off.
 *
 * @param id the blob's number: the memfd registry's id, so {@code /actuator/memfd} shows the same number
 * @param name the name the uploader gave
 * @param size its size in bytes
 * @param seals the seals its memfd carries
 * @param sha256 the SHA-256 of its content, in lowercase hex; also its ETag
 */
public record BlobRecord(long id, String name, long size, Set<Seal> seals, String sha256) {
}
