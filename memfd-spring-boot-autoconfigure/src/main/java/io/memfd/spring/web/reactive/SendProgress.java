package io.memfd.spring.web.reactive;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.FileRegion;

/**
 * How many bytes of one memfd response the server has handed on so far: what the kernel took of its file regions,
 * and what was read into buffers for a copy (each read waits for the connection to take more, so it runs at most a
 * buffer or two ahead of the client). Always at least what the client has received, so a rate computed from it never
 * wrongs a client; a client reading slower than that rate gets a head start of one socket send buffer.
 */
final class SendProgress {

    private final Queue<FileRegion> regions = new ConcurrentLinkedQueue<>();

    private final AtomicLong copied = new AtomicLong();

    /** Counts what the kernel takes of {@code region}. */
    <T extends FileRegion> T watch(T region) {
        this.regions.add(region);
        return region;
    }

    /** Counts {@code count} bytes read into a buffer for the connection. */
    void copied(long count) {
        this.copied.addAndGet(count);
    }

    /** The bytes handed on so far. */
    long bytes() {
        long bytes = this.copied.get();
        for (FileRegion region : this.regions) {
            bytes += region.transferred();
        }
        return bytes;
    }
}
