package io.memfd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Drives the garbage collector until a dropped memfd's Cleaner has run, for leak tests. */
public final class Gc {

    private Gc() {
    }

    /** Requests collections until {@code done} holds; fails after 30 s. */
    public static void awaitCollection(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("the leak was noticed within 30 s").isLessThan(deadline);
            System.gc();
            Thread.sleep(20);
        }
    }
}
