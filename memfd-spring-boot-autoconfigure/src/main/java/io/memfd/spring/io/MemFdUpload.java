package io.memfd.spring.io;

import java.time.Instant;

/**
 * An upload still being streamed into a memfd, as {@link MemFdUploads#inProgress()} shows it.
 *
 * @param id the memfd's registry id (the one {@code /actuator/memfd} shows)
 * @param name the memfd's name
 * @param receivedBytes the bytes written so far
 * @param startedAt when the upload began
 * @param lastProgressAt when the last bytes arrived (or the start, before any did)
 */
public record MemFdUpload(long id, String name, long receivedBytes, Instant startedAt, Instant lastProgressAt) {
}
