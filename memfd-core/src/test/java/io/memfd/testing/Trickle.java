package io.memfd.testing;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Sends one byte every 100 ms until closed: an upload that is slow but not stalled, so that a test can look at it for
 * as long as a busy machine needs without an idle timeout dropping it.
 */
public final class Trickle implements AutoCloseable {

    private final Thread thread;

    private volatile long lastByteSentAt = System.nanoTime();

    public Trickle(OutputStream out) {
        this.thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    this.lastByteSentAt = System.nanoTime();
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

    /**
     * When the last byte was handed to the socket, in {@link System#nanoTime()}: taken before the write, so the peer
     * received it later. A peer's idle timer therefore cannot end before this plus its timeout, however busy the
     * machine.
     */
    public long lastByteSentAt() {
        return this.lastByteSentAt;
    }

    /** Stops sending; the upload is silent from here. */
    @Override
    public void close() throws InterruptedException {
        this.thread.interrupt();
        this.thread.join();
    }
}
