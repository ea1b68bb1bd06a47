package io.memfd;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;

/**
 * Maps ranges of one memfd: checks the range and the write seals, maps through a channel of its own and, when
 * guarded, through the {@link MappingGuard} that keeps mappings SIGBUS-safe. A failed map becomes a typed
 * {@link MemFdException}.
 */
final class MemFdMapper {

    private final MemFd memfd;
    private final MemFdState state;

    MemFdMapper(MemFd memfd, MemFdState state) {
        this.memfd = memfd;
        this.state = state;
    }

    /** Maps the whole file read-only, guarded. */
    MappedByteBuffer mapWholeReadOnly() {
        long size = memfd.size();
        if (size > Integer.MAX_VALUE) {
            throw new MemFdException("map read-only", state.name, state.handle.number(), "its " + size
                    + " bytes exceed the 2 GiB a MappedByteBuffer can hold; map it in ranges", 0);
        }
        return map(FileChannel.MapMode.READ_ONLY, 0, size, true);
    }

    /** Maps a range, through {@link MappingGuard} when {@code guarded}. */
    MappedByteBuffer map(FileChannel.MapMode mode, long position, long length, boolean guarded) {
        String operation = mode == FileChannel.MapMode.READ_ONLY ? "map read-only" : "map read-write";
        MemFd.requireNonNegative(position, "position");
        MemFd.requireNonNegative(length, "length");
        if (mode == FileChannel.MapMode.READ_WRITE) {
            requireWritableMapping(operation);
        }
        if (!guarded) {
            return mapRange(mode, position, length, operation);
        }
        return memfd.withFd(operation, (fd) -> state.mappings.map(fd, state.name, operation,
                () -> mapRange(mode, position, length, operation)));
    }

    /**
     * Maps a range that lies within the file, through a channel of its own that is closed at once: the mapping does
     * not need it, and a channel kept open would hold a second descriptor per mapped memfd, which no limit counts.
     */
    private MappedByteBuffer mapRange(FileChannel.MapMode mode, long position, long length, String operation) {
        checkRange(position, length, operation);
        StandardOpenOption[] access = (mode == FileChannel.MapMode.READ_ONLY)
                ? new StandardOpenOption[] { StandardOpenOption.READ }
                : new StandardOpenOption[] { StandardOpenOption.READ, StandardOpenOption.WRITE };
        try (FileChannel channel = state.reopen(operation, access)) {
            MappedByteBuffer mapping = channel.map(mode, position, length);
            state.holdAlso(mapping);
            return mapping;
        } catch (IOException e) {
            throw mapFailed(operation, mode, e);
        }
    }

    /** Throws the typed reason a writable mapping is refused, if any: a write seal or a read-only descriptor. */
    private void requireWritableMapping(String operation) {
        memfd.withFd(operation, (fd) -> {
            EnumSet<Seal> seals = Fcntl.seals(fd, state.name);
            for (Seal seal : EnumSet.of(Seal.WRITE, Seal.FUTURE_WRITE)) {
                if (seals.contains(seal)) {
                    throw new WriteSealedException(operation, state.name, fd, seal, 0);
                }
            }
            if (Fcntl.isReadOnly(fd, state.name)) {
                throw new NotPermittedException(operation, state.name, fd,
                        "this descriptor is read-only, so it grants no write access to map", 0);
            }
            return null;
        });
    }

    /**
     * Why a map failed, typed: the memfd was closed meanwhile, a write seal came after the check, or else what the
     * JDK reported, with a hint where huge pages are the likely cause.
     */
    private MemFdException mapFailed(String operation, FileChannel.MapMode mode, IOException cause) {
        if (!memfd.isOpen()) {
            return withCause(new MemFdClosedException(operation, state.name), cause);
        }
        if (mode == FileChannel.MapMode.READ_WRITE) {
            requireWritableMapping(operation);
        }
        return memfd.withFd(operation, (fd) -> {
            String hint = FileStatus.isHugetlb(fd, state.name)
                    ? "; a hugetlb memfd maps only where huge pages of its size are reserved"
                    : "";
            return withCause(new MemFdException(operation, state.name, fd, cause + hint, 0), cause);
        });
    }

    private static MemFdException withCause(MemFdException failure, Throwable cause) {
        failure.initCause(cause);
        return failure;
    }

    private void checkRange(long position, long length, String operation) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("A mapping holds at most 2 GiB; " + length + " bytes requested");
        }
        long size = memfd.size();
        if (MemFd.endOf(position, length) > size) {
            throw new MemFdException(operation, state.name, state.handle.number(), "the range [" + position + ", "
                    + (position + length) + ") passes the end of the file at " + size + " bytes; resize first", 0);
        }
    }
}
