package io.memfd.spring.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A thread that cancels the first upload it sees in progress, racing with an upload the test runs meanwhile. */
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

    /**
     * Runs {@code upload} {@code rounds} times, each against a cancel: either the cancel wins (the upload fails as
     * cancelled) or it says it lost (the upload gives an open resource), never both, never neither.
     */
    static void assertEitherWinsOrSaysItLost(MemFdUploads uploads, int rounds, Callable<MemFdResource> upload)
            throws Exception {
        for (int round = 0; round < rounds; round++) {
            CancelRace race = new CancelRace(uploads);
            try {
                MemFdResource stored = upload.call();
                assertThat(race.cancelled()).as("a cancel that said it won, in round " + round).isFalse();
                assertThat(stored.exists()).isTrue();
                stored.close();
            } catch (UploadAbortedException e) {
                assertThat(race.cancelled()).as("a cancel that said it lost, in round " + round).isTrue();
            }
        }
    }

    /** Ends the race: whether the cancel said it won. */
    private boolean cancelled() throws Exception {
        this.over = true;
        return this.cancelled.get(10, TimeUnit.SECONDS);
    }
}
