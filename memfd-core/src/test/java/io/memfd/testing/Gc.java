package io.memfd.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.awaitility.Awaitility;

/** Drives the garbage collector until a dropped memfd's Cleaner has run, for leak tests. */
public final class Gc {

    private Gc() {
    }

    /** Requests collections until {@code done} holds; fails after 30 s. */
    public static void awaitCollection(BooleanSupplier done) throws InterruptedException {
        Awaitility.await("the leak noticed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    System.gc();
                    return done.getAsBoolean();
                });
    }
}
