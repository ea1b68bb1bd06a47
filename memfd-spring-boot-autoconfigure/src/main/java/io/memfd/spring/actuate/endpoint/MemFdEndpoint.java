package io.memfd.spring.actuate.endpoint;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;

import io.memfd.MemFd;
import io.memfd.MemFdClosedException;
import io.memfd.MemFdInfo;
import io.memfd.MemFdRegistry;
import io.memfd.Seal;
import io.memfd.spring.io.MemFdUpload;
import io.memfd.spring.io.MemFdUploads;

/**
 * The {@code memfd} Actuator endpoint, read-only: {@code GET /actuator/memfd} lists every live buffer with the totals,
 * {@code GET /actuator/memfd/{name}} shows the newest live buffer the application created with that full name (names
 * may contain {@code /}; names need not be unique) or answers 404. Buffers received from other processes are listed,
 * marked {@code adopted}, but never found by name: their senders chose their names. A buffer still being written by an
 * upload shows with the state {@code receiving}, and the uploads in progress are listed with how far they got and how
 * long they have been idle. No {@code /proc/PID/fd/N} path is published: by the time a reader opened it, the buffer
 * may be closed and the number given to another file.
 */
@Endpoint(id = "memfd")
public class MemFdEndpoint {

    private final MemFdRegistry registry;
    private final MemFdUploads uploads;

    public MemFdEndpoint(MemFdRegistry registry) {
        this(registry, new MemFdUploads());
    }

    /** @param uploads the uploads streaming into buffers of {@code registry} */
    public MemFdEndpoint(MemFdRegistry registry, MemFdUploads uploads) {
        this.registry = registry;
        this.uploads = uploads;
    }

    @ReadOperation
    public MemFdDescriptor buffers() {
        List<MemFdUpload> inProgress = uploads.inProgress();
        Set<Long> receiving = inProgress.stream().map(MemFdUpload::id).collect(Collectors.toSet());
        List<BufferDescriptor> buffers = registry.buffers().stream()
                .map(info -> BufferDescriptor.of(info, receiving.contains(info.id())))
                .toList();
        return new MemFdDescriptor(buffers.size(), registry.usedBytes(), registry.lingeringBytes(),
                boxed(registry.maxTotalSize()),
                boxed(registry.maxSize()), boxed(registry.maxCount()), registry.createdCount(),
                registry.releasedCount(), registry.leakedCount(), buffers,
                inProgress.stream().map(UploadDescriptor::of).toList());
    }

    /** {@code null}, which the endpoint answers with 404, when no live buffer has this name. */
    @ReadOperation
    public BufferDescriptor buffer(@Selector(match = Match.ALL_REMAINING) String... name) {
        return registry.find(String.join("/", name)).map(this::describe).orElse(null);
    }

    private BufferDescriptor describe(MemFd memfd) {
        try {
            MemFdInfo info = memfd.info();
            Map<Long, MemFdUpload> receiving = uploads.inProgress().stream()
                    .collect(Collectors.toMap(MemFdUpload::id, Function.identity()));
            return BufferDescriptor.of(info, receiving.containsKey(info.id()));
        } catch (MemFdClosedException e) {
            // Closed since it was found: gone, as if it had never been found.
            return null;
        }
    }

    private static Long boxed(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }

    private static Integer boxed(OptionalInt value) {
        return value.isPresent() ? value.getAsInt() : null;
    }

    /**
     * The live buffers and the totals.
     *
     * @param count the live buffers listed
     * @param usedBytes the bytes the kernel holds for them, as counted against the budget, and for closed buffers
     *        whose pages something still holds
     * @param lingeringBytes the part of {@code usedBytes} closed buffers hold: their pages kept by a response still
     *        sending them, a mapping not yet garbage-collected, a duplicate
     * @param maxTotalSize the budget across live buffers; absent when unlimited
     * @param maxSize the per-buffer size limit; absent when unlimited
     * @param maxCount the most live buffers at once; absent when unlimited
     * @param created buffers created or adopted since start-up
     * @param released buffers closed by the application
     * @param leaked buffers dropped without {@code close()} and closed by the garbage collector
     * @param buffers every live buffer, oldest first
     * @param uploads the uploads still streaming into buffers, oldest first
     */
    public record MemFdDescriptor(int count, long usedBytes, long lingeringBytes, Long maxTotalSize, Long maxSize,
            Integer maxCount, long created, long released, long leaked, List<BufferDescriptor> buffers,
            List<UploadDescriptor> uploads) implements OperationResponseBody {
    }

    /**
     * One live buffer.
     *
     * @param id this JVM's unique number for it
     * @param name its name, as {@code /proc} shows it after {@code memfd:}
     * @param fd its descriptor number
     * @param size its size in bytes
     * @param seals the seals present
     * @param sealed whether a seal other than {@code EXEC} is present
     * @param state {@code receiving} while an upload is still writing it, else {@code sealed} or {@code unsealed}
     * @param createdAt when it was created or adopted
     * @param age how long ago that was, as an ISO-8601 duration ({@code PT1M30.5S})
     * @param adopted whether it came from another process, whose name it keeps (and so is never found by name)
     */
    public record BufferDescriptor(long id, String name, int fd, long size, Set<Seal> seals, boolean sealed,
            String state, Instant createdAt, String age, boolean adopted) implements OperationResponseBody {

        static BufferDescriptor of(MemFdInfo info, boolean receiving) {
            String state = receiving ? "receiving" : info.isSealed() ? "sealed" : "unsealed";
            return new BufferDescriptor(info.id(), info.name(), info.fd(), info.size(), info.seals(), info.isSealed(),
                    state, info.createdAt(), info.age().toString(), info.adopted());
        }
    }

    /**
     * An upload still streaming into a buffer.
     *
     * @param id the buffer's id
     * @param name the buffer's name
     * @param receivedBytes the bytes written so far
     * @param startedAt when the upload began
     * @param lastProgressAt when bytes last arrived
     * @param idle how long ago that was, as an ISO-8601 duration; past {@code memfd.web.upload-idle-timeout} the
     *        upload is dropped
     */
    public record UploadDescriptor(long id, String name, long receivedBytes, Instant startedAt, Instant lastProgressAt,
            String idle) {

        static UploadDescriptor of(MemFdUpload upload) {
            return new UploadDescriptor(upload.id(), upload.name(), upload.receivedBytes(), upload.startedAt(),
                    upload.lastProgressAt(), java.time.Duration.between(upload.lastProgressAt(), Instant.now())
                        .toString());
        }
    }
}
