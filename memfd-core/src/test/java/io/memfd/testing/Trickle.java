package io.memfd.testing;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Sends one byte every 100 ms until closed: an upload that is slow but not stalled, so that a test can look at it for
 * as long as a busy machine needs without an idle timeout dropping it.
 */
public final class Trickle implements AutoCloseable {

    private final Thread thread;

    public Trickle(OutputStream out) {
        this.thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    out.write(0);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // Closed or told to stop: the upload goes silent from here.
            }
        }, "trickle");
        this.thread.start();
    }

    /** Stops sending; the upload is silent from here. */
    @Override
    public void close() throws InterruptedException {
        this.thread.interrupt();
        this.thread.join();
    }
}
