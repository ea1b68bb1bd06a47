package io.memfd.spring.web.servlet;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cap on the mappings made for responses and not yet unmapped. The JVM unmaps a mapping only when the garbage
 * collector finds it unreachable, and each counts against {@code vm.max_map_count} (65530 by default) until then: with
 * a large young generation, a flood of small requests could otherwise pile up enough of them that every {@code mmap}
 * in the process fails, thread stacks and {@code malloc} included. Past the cap, responses are copied instead.
 */
final class LiveMappings {

    private static final Cleaner unmapped = Cleaner.create();

    private final int max;

    private final AtomicInteger live = new AtomicInteger();

    LiveMappings(int max) {
        this.max = max;
    }

    /** Takes a slot for a mapping about to be made; {@code false} when {@code max} are live already. */
    boolean reserve() {
        if (this.live.incrementAndGet() > this.max) {
            this.live.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives the slot back when {@code mapping} is collected (and so unmapped). */
    void releaseWhenUnreachable(ByteBuffer mapping) {
        unmapped.register(mapping, this.live::decrementAndGet);
    }

    /** Gives a slot back at once: the mapping it was reserved for was not made. */
    void release() {
        this.live.decrementAndGet();
    }

    int live() {
        return this.live.get();
    }
}
