package io.memfd.spring.io;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A thread that cancels the first upload it sees in progress, racing with whatever the test does meanwhile. */
final class CancelRace {

    private final CompletableFuture<Boolean> cancelled;
    private volatile boolean over;

    private CancelRace(MemFdUploads uploads) {
        this.cancelled = CompletableFuture.supplyAsync(() -> {
            while (!this.over) {
                List<MemFdUpload> inProgress = uploads.inProgress();
                if (!inProgress.isEmpty()) {
                    return uploads.cancel(inProgress.get(0).id());
                }
            }
            return false;
        });
    }

    static CancelRace start(MemFdUploads uploads) {
        return new CancelRace(uploads);
    }

    /** Ends the race: whether the cancel said it won. */
    boolean cancelled() throws Exception {
        this.over = true;
        return this.cancelled.get(10, TimeUnit.SECONDS);
    }
}
