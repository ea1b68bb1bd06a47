package io.memfd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Creates memfds with shared defaults and limits, and tracks the live ones in a {@link MemFdRegistry}.
 *
 * <pre>{@code
 * MemFdFactory factory = MemFdFactory.builder()
 *         .maxSize(64 << 20)          // per buffer
 *         .maxTotalSize(1L << 30)     // what the kernel holds for live buffers, whole pages and files
 *         .maxCount(10_000)           // live buffers, each holding a descriptor (default: half of ulimit -n)
 *         .build();
 * try (MemFd blob = factory.createSealed("greeting", "hello".getBytes())) { ... }
 * }</pre>
 *
 * A buffer that would pass a limit, at creation or when it grows through {@link MemFd}, fails with
 * {@link SizeLimitExceededException}, {@link BudgetExceededException} or {@link CountLimitExceededException}; the
 * count and the budget are checked before a memfd is created or adopted, and a failed creation leaves no memfd
 * behind. The budget counts what the kernel holds for each buffer (see {@link MemFdRegistry}), not its bytes.
 * Limits bind writes through {@link MemFd}'s methods, streams and byte channels; a {@link MemFd#dup()} is not tracked.
 * Closing the factory closes its live buffers.
 */
public final class MemFdFactory implements AutoCloseable {

    private final MemFdOptions options;
    private final Set<Seal> defaultSeals;
    private final String namePrefix;
    private final MemFdRegistry registry;
    private volatile boolean closed;

    private MemFdFactory(Builder builder) {
        this.options = builder.options;
        this.defaultSeals = Collections.unmodifiableSet(EnumSet.copyOf(builder.defaultSeals));
        this.namePrefix = builder.namePrefix;
        this.registry = new MemFdRegistry(builder.maxSize, builder.maxTotalSize, builder.maxCount,
                builder.leakDetection, builder.leakListener, builder.clock);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An empty, unsealed memfd with the factory's options. */
    public MemFd create(String name) {
        return create(name, options);
    }

    /** An empty, unsealed memfd with other options, under the factory's limits and registry. */
    public MemFd create(String name, MemFdOptions options) {
        ensureOpen();
        // Checked before the prefix makes it a string: a null name would become "null".
        MemFd.checkName(name);
        return stillOpen(MemFdOpening.create(namePrefix + name, options, registry));
    }

    /** A memfd holding {@code content}, sealed with the default seals. */
    public MemFd createSealed(String name, byte[] content) {
        return createSealed(name, ByteBuffer.wrap(content));
    }

    /** A memfd holding the remaining bytes of {@code content}, sealed with the default seals. */
    public MemFd createSealed(String name, ByteBuffer content) {
        MemFd memfd = create(name);
        try {
            memfd.write(0, content);
            seal(memfd);
            return memfd;
        } catch (RuntimeException e) {
            memfd.close();
            throw e;
        }
    }

    /**
     * A memfd holding everything {@code content} yields, sealed with the default seals; the stream is not closed. The
     * per-buffer limit is enforced while streaming: a stream that passes it fails at the first chunk beyond the limit,
     * and no memfd is left behind.
     */
    public MemFd createSealed(String name, InputStream content) throws IOException {
        MemFd memfd = create(name);
        try {
            memfd.append(content);
            seal(memfd);
            return memfd;
        } catch (IOException | RuntimeException e) {
            memfd.close();
            throw e;
        }
    }

    /** Adds the default seals to {@code memfd}. */
    public void seal(MemFd memfd) {
        memfd.addSeals(defaultSeals);
    }

    /**
     * Takes ownership of a descriptor received from elsewhere, as {@link MemFd#adopt(int, Set)} does, and tracks it:
     * its current size must fit the factory's limits. A rejected descriptor is closed, also when the factory is
     * closed.
     */
    public MemFd adopt(int fd, Set<Seal> requiredSeals) {
        return stillOpen(MemFdOpening.adopt(fd, requiredSeals, registry));
    }

    /** The live buffers and running totals. */
    public MemFdRegistry registry() {
        return registry;
    }

    public MemFdOptions options() {
        return options;
    }

    /** The seals {@link #seal} and {@code createSealed} add. */
    public Set<Seal> defaultSeals() {
        return defaultSeals;
    }

    /** The prefix put before every name this factory creates. */
    public String namePrefix() {
        return namePrefix;
    }

    /** Closes every live buffer this factory tracks; afterwards the factory creates nothing. */
    @Override
    public void close() {
        closed = true;
        registry.closeAll();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This MemFdFactory is closed");
        }
    }

    /**
     * Checks, after a memfd joined the registry, that the factory was not closed meanwhile: a memfd registered after
     * {@link #close()} swept the registry would outlive its factory.
     */
    private MemFd stillOpen(MemFd memfd) {
        if (closed) {
            memfd.close();
            ensureOpen();
        }
        return memfd;
    }

    /** Settings for a {@link MemFdFactory}; every one has a default. */
    public static final class Builder {

        private MemFdOptions options = MemFdOptions.defaults();
        private Set<Seal> defaultSeals = Seal.IMMUTABLE;
        private String namePrefix = "";
        private long maxSize = Long.MAX_VALUE;
        private long maxTotalSize = Long.MAX_VALUE;
        private int maxCount = halfTheDescriptorLimit();
        private LeakDetection leakDetection = LeakDetection.REPORT;
        private LeakListener leakListener = LeakListener.LOG;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Options for created memfds. Default: {@link MemFdOptions#defaults()}. */
        public Builder options(MemFdOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Seals added by {@link MemFdFactory#seal} and {@code createSealed}. Default: {@link Seal#IMMUTABLE}. */
        public Builder defaultSeals(Set<Seal> defaultSeals) {
            if (defaultSeals.isEmpty()) {
                throw new IllegalArgumentException("The default seals must name at least one seal");
            }
            this.defaultSeals = defaultSeals;
            return this;
        }

        /**
         * Put before every name, e.g. the application's name, to tell its memfds apart in {@code /proc}. The same rules
         * as for names apply ({@link MemFd#checkName}), to the prefix and to each name with it.
         */
        public Builder namePrefix(String namePrefix) {
            MemFd.checkName(namePrefix);
            this.namePrefix = namePrefix;
            return this;
        }

        /** The largest size of one buffer, in bytes. Default: unlimited. */
        public Builder maxSize(long maxSize) {
            this.maxSize = positive(maxSize, "maxSize");
            return this;
        }

        /**
         * The most bytes the kernel may hold for all live buffers together: each one's size rounded up to whole pages,
         * plus about 1 KiB for its file. Default: unlimited.
         */
        public Builder maxTotalSize(long maxTotalSize) {
            this.maxTotalSize = positive(maxTotalSize, "maxTotalSize");
            return this;
        }

        /**
         * The most live buffers at once, created and adopted together. Each holds a descriptor, however small it is, so
         * this keeps them from taking every descriptor the process may have, which would leave none for connections and
         * files. Default: half the process's descriptor limit ({@code ulimit -n}, as the JVM raised it at start-up).
         */
        public Builder maxCount(int maxCount) {
            this.maxCount = (int) positive(maxCount, "maxCount");
            return this;
        }

        /** How leaks are reported. Default: {@link LeakDetection#REPORT}. */
        public Builder leakDetection(LeakDetection leakDetection) {
            this.leakDetection = Objects.requireNonNull(leakDetection, "leakDetection");
            return this;
        }

        /** Who hears of leaks. Default: {@link LeakListener#LOG}. */
        public Builder leakListener(LeakListener leakListener) {
            this.leakListener = Objects.requireNonNull(leakListener, "leakListener");
            return this;
        }

        /** The clock that tells buffers' creation times and ages; for tests, which need not wait for time to pass. */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public MemFdFactory build() {
            return new MemFdFactory(this);
        }

        private static int halfTheDescriptorLimit() {
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, DescriptorLimit.current() / 2));
        }

        private static long positive(long value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
