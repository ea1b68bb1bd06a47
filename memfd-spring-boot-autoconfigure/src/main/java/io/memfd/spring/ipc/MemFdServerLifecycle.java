package io.memfd.spring.ipc;

import java.nio.file.Path;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

import io.memfd.ipc.MemFdServer;

/**
 * Runs a {@link MemFdServer} with the application context: the socket file appears when the context has started and
 * disappears when it stops. A {@code MemFdServer} runs once, so each {@link #start()} builds a new one from the same
 * builder; a context that is stopped and started again serves again.
 *
 * <p>It runs in the last phase ({@link SmartLifecycle#DEFAULT_PHASE}): it starts after everything else, web servers
 * included, so that no buffer reaches a handler whose collaborators are not running yet; and it stops first, before
 * any of them and long before the {@code MemFdFactory} is closed. Stopping is prompt: threads waiting for messages end
 * at once, running handlers get the server's shutdown timeout.
 */
public class MemFdServerLifecycle implements SmartLifecycle {

    private static final Log logger = LogFactory.getLog(MemFdServerLifecycle.class);

    private final MemFdServer.Builder builder;

    private final String description;

    private @Nullable MemFdServer server;

    /**
     * @param builder builds each server; it must have a handler
     * @param description what the server checks, for the log line that says it started
     */
    public MemFdServerLifecycle(MemFdServer.Builder builder, String description) {
        this.builder = builder;
        this.description = description;
    }

    @Override
    public synchronized void start() {
        if (this.server == null) {
            this.server = this.builder.start();
            logger.info("memfd IPC server listening on " + this.server.path() + " (" + this.description + ")");
        }
    }

    @Override
    public synchronized void stop() {
        if (this.server != null) {
            this.server.close();
            logger.info("memfd IPC server on " + this.server.path() + " stopped");
            this.server = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return this.server != null && this.server.isRunning();
    }

    /** The socket file's path while the server runs, or {@code null}. */
    public synchronized @Nullable Path getPath() {
        return (this.server != null) ? this.server.path() : null;
    }
}
