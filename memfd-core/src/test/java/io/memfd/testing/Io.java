package io.memfd.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Function;

/** Adapts file operations that throw {@link IOException} to {@code MemFd.withProcPath}'s {@link Function}. */
public final class Io {

    private Io() {
    }

    /** A file operation on a path. */
    @FunctionalInterface
    public interface PathFunction<T> {
        T apply(Path path) throws IOException;
    }

    /** {@code operation}, with an {@link IOException} rethrown as {@link UncheckedIOException}. */
    public static <T> Function<Path, T> unchecked(PathFunction<T> operation) {
        return path -> {
            try {
                return operation.apply(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
