package io.memfd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;


/**
 * An anonymous, memory-backed file ({@code memfd_create(2)}): a regular file on a kernel-internal tmpfs with no
 * name in any directory, which can be resized, read and written at any position, mapped, sealed, and passed to
 * another process as a descriptor.
 *
 * <pre>{@code
 * try (MemFd fd = MemFd.create("report")) {
 *     fd.write(0, bytes);
 *     fd.makeImmutable();             // WRITE, SHRINK, GROW, SEAL: nobody can change it now
 *     ByteBuffer view = fd.mapReadOnly();
 * }
 * }</pre>
 *
 * <p><b>Thread safety and lifetime.</b> All methods are thread-safe. {@link #close()} is idempotent and may race with
 * any other call: an operation either completes on this memfd or throws {@link MemFdClosedException}; none ever
 * touches a descriptor number after it was closed (the kernel reuses numbers at once). A memfd that becomes
 * unreachable without {@code close()} is closed by a {@link Cleaner} and reported as a leak.
 *
 * <p><b>Reading and writing: which to use when.</b> {@link #read(long, ByteBuffer)} and
 * {@link #write(long, ByteBuffer)} ({@code pread}/{@code pwrite}, no position of their own) for code that knows where;
 * {@link #append} to add at the end; {@link #readAllBytes()} for small content. For stream and channel APIs:
 * {@link #newInputStream()} and {@link #newOutputStream()} (reads from the start, writes from the end),
 * {@link #newByteChannel()} for a seekable channel with its own position; all three go through this class, so seals and
 * a factory's limits apply and closing them leaves the memfd open. A {@link FileChannel} only where an API needs one:
 * {@link #channel()}, shared and never closed by the caller, for {@code transferTo} ({@code sendfile}) while the memfd
 * is open; {@link #newFileChannel()}, the caller's own, for work that may outlive the memfd (an asynchronous send). Map
 * with {@link #mapReadOnly} and {@link #mapReadWrite}, never with {@code FileChannel.map}: only they keep a mapping
 * safe from a shrinking file.
 *
 * <p><b>Errors.</b> Failures throw unchecked {@link MemFdException}s whose type says what went wrong
 * ({@link WriteSealedException}, {@link ResizeSealedException}, {@link NotPermittedException}...) and whose message
 * names the memfd, the operation and the cause.
 */
public final class MemFd implements AutoCloseable {

    /** Closes leaked memfds, and tells a {@link MappingGuard} when a mapping it tracks is unmapped. */
    static final Cleaner CLEANER = Cleaner.create();

    private final MemFdState state;
    private final Cleaner.Cleanable cleanable;
    private final MemFdMapper mapper;
    /** Orders appends, each of which reads the size and then writes there. */
    private final Object appendLock = new Object();

    /** Wraps an open memfd; see {@link MemFdOpening}. */
    MemFd(MemFdState state) {
        this.state = state;
        this.cleanable = CLEANER.register(this, state);
        this.mapper = new MemFdMapper(this, state);
    }

    /**
     * The longest memfd name the kernel accepts, in bytes of UTF-8: {@code NAME_MAX} (255) less the {@code "memfd:"}
     * prefix it adds. Names built from a prefix and a label must fit it as a whole.
     */
    public static final int MAX_NAME_BYTES = 249;

    /** Creates an empty memfd with {@link MemFdOptions#defaults()}. */
    public static MemFd create(String name) {
        return create(name, MemFdOptions.defaults());
    }

    /**
     * Creates an empty memfd.
     *
     * @param name shown in {@code /proc/PID/fd} and {@code /proc/PID/maps}; at most {@link #MAX_NAME_BYTES} bytes of
     *        UTF-8, no control character ({@link #checkName}); need not be unique
     * @throws IllegalArgumentException if the name is invalid
     * @throws UnsupportedByKernelException if the kernel lacks memfd or a requested option
     * @throws NotPermittedException if a policy (sysctl, seccomp, LSM) forbids it
     */
    public static MemFd create(String name, MemFdOptions options) {
        return MemFdOpening.create(name, options, null);
    }

    /**
     * Checks a name as {@link #create} does: at most {@link #MAX_NAME_BYTES} bytes of UTF-8 (the kernel's limit), no
     * control character (NUL, newline, escape...), which would reach logs, {@code /proc} listings and lookups as it is,
     * no bidirectional control (U+202E and the like, which make a name show as another), no unpaired surrogate.
     * The empty name is valid. Also useful for names of one's own that end up beside memfd names.
     *
     * @throws IllegalArgumentException if the name is invalid; the message says why
     */
    public static void checkName(String name) {
        String problem = MemfdCreate.nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("Invalid memfd name \"" + MemfdCreate.escaped(name) + "\": " + problem);
        }
    }

    /**
     * Takes ownership of a descriptor received from elsewhere (another process, a native library), after checking
     * that it really is a memfd. A rejected descriptor is closed.
     *
     * @throws NotMemFdException if it is not a memfd; the exception says what it is instead
     * @throws InvalidNameException if its name has a control character
     */
    public static MemFd adopt(int fd) {
        return adopt(fd, Set.of());
    }

    /**
     * Takes ownership of a descriptor received from elsewhere, after checking that it is a memfd carrying at least
     * {@code requiredSeals} (more are fine). A rejected descriptor is closed.
     *
     * @throws NotMemFdException if it is not a memfd
     * @throws MissingSealsException if a required seal is missing
     */
    public static MemFd adopt(int fd, Set<Seal> requiredSeals) {
        return MemFdOpening.adopt(fd, requiredSeals, null);
    }

    /** The name given at creation (or read from {@code /proc} for an adopted memfd). */
    public String name() {
        return state.name;
    }

    /** The current size in bytes. */
    public long size() {
        if (state.fixedSize >= 0) {
            requireOpen("read the size");
            return state.fixedSize;
        }
        int fd = acquireFd("read the size");
        try {
            return FileStatus.size(fd, state.name);
        } finally {
            releaseFd();
        }
    }

    /** When the content last changed (the file's modification time). */
    public Instant lastModified() {
        return withFd("read the modification time", (fd) -> FileStatus.modified(fd, state.name));
    }

    /**
     * Sets the size ({@code ftruncate}): growing adds zero bytes, shrinking discards the end.
     *
     * @throws ResizeSealedException if {@link Seal#SHRINK} or {@link Seal#GROW} forbids it
     * @throws SizeLimitExceededException if a factory's per-buffer limit forbids it
     * @throws BudgetExceededException if a factory's total budget forbids it
     */
    public void resize(long size) {
        requireNonNegative(size, "size");
        int fd = acquireFd("resize");
        try {
            long grown = state.chargeGrowth(fd, size, "resize");
            try {
                state.mappings.resize(fd, state.name, size, () -> FileIo.truncate(fd, state.name, size));
            } catch (RuntimeException e) {
                state.growthFailed(fd, size, grown);
                throw e;
            }
            state.shrunkTo(size);
        } finally {
            releaseFd();
        }
    }

    /**
     * Allocates memory for {@code [position, position + length)} now ({@code fallocate}), growing the file where the
     * range passes its end, so that later writes and page faults there cannot fail for lack of memory.
     */
    public void allocate(long position, long length) {
        requireNonNegative(position, "position");
        requireNonNegative(length, "length");
        long end = endOf(position, length);
        int fd = acquireFd("allocate");
        try {
            long grown = state.chargeGrowth(fd, end, "allocate");
            try {
                FileIo.allocate(fd, state.name, position, length);
            } catch (RuntimeException e) {
                state.growthFailed(fd, end, grown);
                throw e;
            }
        } finally {
            releaseFd();
        }
    }

    /**
     * Reads bytes at {@code position} into {@code dst} ({@code pread}), advancing its position. Like
     * {@link FileChannel#read(ByteBuffer, long)} it may read fewer bytes than {@code dst} has room for.
     *
     * @return the number of bytes read, or -1 when {@code position} is at or past the end
     */
    public int read(long position, ByteBuffer dst) {
        requireNonNegative(position, "position");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Cannot read into a read-only buffer");
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int fd = acquireFd("read");
        try {
            int read = BounceIo.read(fd, state.name, position, dst);
            return read == 0 ? -1 : read;
        } finally {
            releaseFd();
        }
    }

    /** Reads up to {@code length} bytes at {@code position}; returns the count, or -1 at the end. */
    public int read(long position, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);   // ByteBuffer.wrap's own says nothing
        return read(position, ByteBuffer.wrap(dst, offset, length));
    }

    /** Reads the whole content into a new array. */
    public byte[] readAllBytes() {
        return BounceIo.readAll(this, state);
    }

    /**
     * Writes all remaining bytes of {@code src} at {@code position} ({@code pwrite}), growing the file where they pass
     * its end; advances {@code src}'s position.
     *
     * @return the number of bytes written: all that {@code src} had remaining
     * @throws WriteSealedException if {@link Seal#WRITE} or {@link Seal#FUTURE_WRITE} forbids writing
     * @throws ResizeSealedException if the write passes the end and {@link Seal#GROW} forbids growing
     */
    public int write(long position, ByteBuffer src) {
        requireNonNegative(position, "position");
        int length = src.remaining();
        if (length == 0) {
            return 0;
        }
        long end = endOf(position, length);
        int fd = acquireFd("write");
        try {
            long grown = state.chargeGrowth(fd, end, "write");
            try {
                BounceIo.write(fd, state.name, position, src);
            } catch (RuntimeException e) {
                state.growthFailed(fd, end, grown);
                throw e;
            }
            return length;
        } finally {
            releaseFd();
        }
    }

    /** Writes {@code length} bytes of {@code src} from {@code offset} at {@code position}. */
    public void write(long position, byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);   // ByteBuffer.wrap's own says nothing
        write(position, ByteBuffer.wrap(src, offset, length));
    }

    /** Writes all of {@code src} at {@code position}. */
    public void write(long position, byte[] src) {
        write(position, ByteBuffer.wrap(src));
    }

    /**
     * Writes the remaining bytes of {@code src} at the end of the file; returns their number. Appends through this
     * object follow one another, whole: each starts where the previous one ended.
     */
    public int append(ByteBuffer src) {
        synchronized (appendLock) {
            return write(size(), src);
        }
    }

    /** Writes all of {@code src} at the end of the file, as {@link #append(ByteBuffer)} does. */
    public void append(byte[] src) {
        append(ByteBuffer.wrap(src));
    }

    /**
     * Copies {@code in} to the end of the file until it is exhausted; does not close it. Other appends wait until the
     * copy ends, so that they cannot land inside it. Under a factory's limits the copy stops at the first chunk that
     * would pass them.
     *
     * @return the number of bytes copied
     */
    public long append(InputStream in) throws IOException {
        synchronized (appendLock) {
            long position = size();
            long start = position;
            byte[] chunk = new byte[64 * 1024];
            for (int read = in.read(chunk); read >= 0; read = in.read(chunk)) {
                write(position, chunk, 0, read);
                position += read;
            }
            return position - start;
        }
    }

    /** A new stream over the content from the start; closing it leaves the memfd open. */
    public InputStream newInputStream() {
        return Channels.newInputStream(newByteChannel());
    }

    /**
     * A new stream that writes from the current end of the file onwards; closing it leaves the memfd open. It keeps
     * its own position, so two such streams used at once write over each other: use one writer at a time.
     */
    public OutputStream newOutputStream() {
        return Channels.newOutputStream(new MemFdByteChannel(this, size()));
    }

    /**
     * A new channel with its own position, starting at 0, that reads and writes through this memfd (so seals and a
     * factory's limits apply); closing it leaves the memfd open.
     */
    public SeekableByteChannel newByteChannel() {
        return new MemFdByteChannel(this, 0);
    }

    /**
     * The shared read-only {@link FileChannel} on the file, for APIs that need one ({@code transferTo}, locks): opened
     * through {@code /proc/self/fd/N} on first use (several microseconds), then reused, and closed with the memfd: a
     * second descriptor for as long as the memfd is open. Do not close it: a thread still using it would fail. Do not
     * map through it (see the class comment).
     */
    public FileChannel channel() {
        return state.channel("open a channel");
    }

    /**
     * A new read-only {@link FileChannel} of the caller's own, opened through {@code /proc/self/fd/N} (several
     * microseconds). It holds a descriptor of its own, so it stays usable after this memfd is closed; so do the
     * file's pages, which a factory's budget keeps counting until the channel is closed too.
     */
    public FileChannel newFileChannel() {
        return state.reopen("open a file channel", StandardOpenOption.READ);
    }

    /** Maps the whole file read-only; see {@link #mapReadOnly(long, long)}. */
    public MappedByteBuffer mapReadOnly() {
        return mapper.mapWholeReadOnly();
    }

    /**
     * Maps a range read-only (a shared mapping: it sees later writes). Works on a write-sealed memfd.
     *
     * <p>Reading a mapped page that the file no longer has raises {@code SIGBUS}, which kills the JVM. So a memfd is
     * mapped only when nobody can shrink it under the mapping: when it is sealed against shrinking
     * ({@link Seal#SHRINK}), or when this process created it and has not handed it out ({@link #dup()},
     * {@link #withProcPath}, {@link #rawFd()}, {@link #withRawFd}, sending it). While such a mapping of an unsealed
     * memfd is reachable, {@link #resize} refuses to shrink the file below it, and handing the file out requires
     * {@link Seal#SHRINK}. {@link #mapReadOnlyUnsafe} maps without these checks.
     *
     * @throws MissingSealsException if the memfd is not sealed against shrinking (a hugetlb one: and writing) and
     *         another descriptor of it may exist
     */
    public MappedByteBuffer mapReadOnly(long position, long length) {
        return mapper.map(FileChannel.MapMode.READ_ONLY, position, length, true);
    }

    /**
     * Maps a range read-write (a shared mapping: writes reach the file and every other mapping). The range must lie
     * within the file; {@link #resize} first to grow it. The same rule as for {@link #mapReadOnly(long, long)} keeps
     * the mapping safe from a shrinking file.
     *
     * <p>While this mapping is reachable, {@link Seal#WRITE} cannot be added ({@link MappingBusyException}); the JVM
     * unmaps it only when it is garbage-collected. Seal with {@link Seal#FUTURE_WRITE} instead, or write through
     * {@link #write} if the memfd is to be write-sealed.
     *
     * @throws MissingSealsException if the memfd is not sealed against shrinking (a hugetlb one: and writing) and
     *         another descriptor of it may exist
     * @throws WriteSealedException if the memfd is sealed against writing
     * @throws NotPermittedException if this descriptor is read-only
     */
    public MappedByteBuffer mapReadWrite(long position, long length) {
        return mapper.map(FileChannel.MapMode.READ_WRITE, position, length, true);
    }

    /**
     * Maps a range read-only without the checks of {@link #mapReadOnly(long, long)}, <b>accepting that any process
     * holding a descriptor of the file can crash this JVM</b> by shrinking the file, and so can {@link #resize}: for
     * memory shared with a trusted peer that does not seal. Prefer sealing {@link Seal#SHRINK}.
     */
    public MappedByteBuffer mapReadOnlyUnsafe(long position, long length) {
        return mapper.map(FileChannel.MapMode.READ_ONLY, position, length, false);
    }

    /** Maps a range read-write without the checks of {@link #mapReadWrite}; see {@link #mapReadOnlyUnsafe}. */
    public MappedByteBuffer mapReadWriteUnsafe(long position, long length) {
        return mapper.map(FileChannel.MapMode.READ_WRITE, position, length, false);
    }

    /** Adds one seal; see {@link #addSeals(Set)}. */
    public void addSeal(Seal seal) {
        addSeals(EnumSet.of(seal));
    }

    /** Adds seals; see {@link #addSeals(Set)}. */
    public void addSeals(Seal first, Seal... more) {
        addSeals(EnumSet.of(first, more));
    }

    /**
     * Adds seals ({@code F_ADD_SEALS}). Seals already present are kept, so re-adding one does nothing, even after
     * {@link Seal#SEAL}. Seals are permanent and bind every descriptor and mapping of the file, in every process.
     *
     * @throws SealedException if {@link Seal#SEAL} forbids adding a seal the memfd does not have yet
     * @throws MappingBusyException if {@link Seal#WRITE} is requested while a shared writable mapping exists
     * @throws NotPermittedException if this descriptor is read-only
     * @throws UnsupportedByKernelException if the kernel does not know one of the seals
     */
    public void addSeals(Set<Seal> seals) {
        int fd = acquireFd("add seals");
        try {
            Fcntl.addSeals(fd, state.name, seals);
        } finally {
            releaseFd();
        }
    }

    /**
     * Makes content and size permanent: adds {@link Seal#IMMUTABLE} (WRITE, SHRINK, GROW and SEAL). On a memfd that is
     * immutable already it does nothing.
     */
    public void makeImmutable() {
        addSeals(Seal.IMMUTABLE);
    }

    /** The seals present now. */
    public EnumSet<Seal> seals() {
        int fd = acquireFd("read seals");
        try {
            return Fcntl.seals(fd, state.name);
        } finally {
            releaseFd();
        }
    }

    /** Whether every seal in {@code required} is present (more may be). */
    public boolean hasSeals(Set<Seal> required) {
        return seals().containsAll(required);
    }

    /** Whether every seal named is present (more may be). */
    public boolean hasSeals(Seal first, Seal... more) {
        return hasSeals(EnumSet.of(first, more));
    }

    /**
     * The descriptor number, <b>borrowed</b>: it stays this memfd's only until {@link #close()}, after which the kernel
     * may give the number to any other file. Never close it; never use it where a close may race. For a guarded use,
     * see {@link #withRawFd}; to hand a descriptor to code that will own it, use {@link #dup()}. Code that has the
     * number can pass the file on, so afterwards only a {@link Seal#SHRINK} seal makes mapping it safe (see
     * {@link #mapReadOnly(long, long)}).
     *
     * @throws MissingSealsException if a mapping made while the memfd was private is reachable and SHRINK is not sealed
     */
    public int rawFd() {
        String operation = "borrow the descriptor";
        return withFd(operation, (fd) -> {
            state.mappings.export(fd, state.name, operation);
            return fd;
        });
    }

    /**
     * Runs {@code action} with the descriptor number, guaranteeing that it is not closed until the action returns
     * (a concurrent {@link #close()} waits for the descriptor, not the caller). The action must not close it. As with
     * {@link #rawFd()}, the action could pass the file on, so afterwards only {@link Seal#SHRINK} makes mapping safe.
     *
     * @throws MissingSealsException if a mapping made while the memfd was private is reachable and SHRINK is not sealed
     */
    public <T> T withRawFd(IntFunction<T> action) {
        String operation = "use the descriptor";
        return withFd(operation, (fd) -> {
            state.mappings.export(fd, state.name, operation);
            return action.apply(fd);
        });
    }

    /**
     * A new descriptor for the same file ({@code F_DUPFD_CLOEXEC}), as an independent {@code MemFd} with its own
     * lifetime. It shares content, size and seals with this one. A factory's registry does not list it and its
     * limits do not apply to it: use it to hand the file to code that will close it (the budget keeps counting the
     * file's pages, which it keeps, until it is closed too, even after this memfd is). From then on, either may be
     * mapped only once the file is sealed against shrinking (see {@link #mapReadOnly(long, long)}).
     *
     * @throws MissingSealsException if a mapping made while the memfd was private is reachable and SHRINK is not sealed
     */
    public MemFd dup() {
        String operation = "duplicate";
        return withFd(operation, (fd) -> {
            state.mappings.export(fd, state.name, operation);
            state.beginHolding();
            try {
                MemFd duplicate = MemFdOpening.duplicate(state, fd);
                state.holdAlso(duplicate);
                return duplicate;
            } finally {
                state.endHolding();
            }
        });
    }

    /**
     * Runs {@code action} with {@code /proc/PID/fd/N}, a path through which this process, or another process of the
     * same user, can open the file: for a program that takes a file name. Opening it creates a new open file with its
     * own offset and access mode.
     *
     * <p>The path names this memfd only while the action runs: a concurrent {@link #close()} waits for the descriptor
     * until the action returns, as with {@link #withRawFd}; afterwards the kernel may give the number to any other
     * file, and the same path would open that file. So the path is never kept: the action is done with it when it
     * returns (it waits for a program it started to open it). Whoever opens the path can pass the file on, so
     * afterwards only {@link Seal#SHRINK} makes mapping it safe.
     *
     * @throws MissingSealsException if a mapping made while the memfd was private is reachable and SHRINK is not sealed
     */
    public <T> T withProcPath(Function<Path, T> action) {
        String operation = "name the descriptor's /proc path";
        return withFd(operation, (fd) -> {
            state.mappings.export(fd, state.name, operation);
            return action.apply(Path.of(MemFdState.procPath(fd)));
        });
    }

    /**
     * Whether the file lives on hugetlbfs: created with huge pages, here or by the process that sent it. Such a file
     * has no {@code write(2)} (write through a mapping) and {@code sendfile(2)} refuses it with {@code EINVAL}, so a
     * server must copy it instead.
     */
    public boolean isHugetlb() {
        return withFd("read the file system type", (fd) -> FileStatus.isHugetlb(fd, state.name));
    }

    /** A snapshot of name, descriptor, size, seals and age. */
    public MemFdInfo info() {
        MemFdInfo info = state.info();
        if (info == null) {
            throw new MemFdClosedException("describe", state.name);
        }
        return info;
    }

    public boolean isOpen() {
        return !state.handle.isClosed();
    }

    /**
     * Closes the descriptor, and the channel from {@link #channel()} if one was opened. Idempotent and thread-safe;
     * operations in flight on other threads complete first, new ones throw {@link MemFdClosedException}. Mappings
     * stay valid until they are garbage-collected: the file lives as long as any descriptor or mapping of it.
     */
    @Override
    public void close() {
        state.closeByOwner();
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "MemFd[name=" + state.name + (isOpen() ? ", fd=" + state.handle.number() : ", closed") + "]";
    }

    /**
     * Runs {@code action} with this memfd's descriptor, which no concurrent {@link #close()} can close (or the kernel
     * reuse) until it returns.
     *
     * @throws MemFdClosedException if the memfd was closed
     */
    <T> T withFd(String operation, IntFunction<T> action) {
        int fd = acquireFd(operation);
        try {
            return action.apply(fd);
        } finally {
            releaseFd();
        }
    }

    /**
     * The descriptor, which no concurrent {@link #close()} can close until {@link #releaseFd()}; the frequent
     * operations (read, write, size, seals) use this pair in a {@code try}/{@code finally} instead of
     * {@link #withFd}, whose lambda would be allocated on every call once the JIT compiles {@code withFd} on its
     * own and stops inlining it.
     *
     * @throws MemFdClosedException if the memfd was closed
     */
    private int acquireFd(String operation) {
        if (!state.handle.acquire()) {
            throw new MemFdClosedException(operation, state.name);
        }
        return state.handle.number();
    }

    private void releaseFd() {
        state.handle.release();
    }

    private void requireOpen(String operation) {
        if (state.handle.isClosed()) {
            throw new MemFdClosedException(operation, state.name);
        }
    }

    static void requireNonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException("The " + what + " must not be negative: " + value);
        }
    }

    static long endOf(long position, long length) {
        if (position > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("The range starting at " + position + " with " + length
                    + " bytes passes the largest possible file size");
        }
        return position + length;
    }
}
