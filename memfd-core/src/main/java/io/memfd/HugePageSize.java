package io.memfd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A huge page size for a hugetlb memfd ({@code MFD_HUGETLB}). The kernel offers only the sizes its architecture
 * supports (x86_64: 2 MiB and 1 GiB), and a hugetlb memfd is usable only where pages of that size are reserved
 * ({@code /sys/kernel/mm/hugepages/hugepages-<n>kB/nr_hugepages}). Hugetlb files have no {@code write()}: fill them
 * through a mapping, and give them sizes that are multiples of the page size.
 */
public enum HugePageSize {
    HUGE_64KB(16),
    HUGE_512KB(19),
    HUGE_1MB(20),
    HUGE_2MB(21),
    HUGE_8MB(23),
    HUGE_16MB(24),
    HUGE_32MB(25),
    HUGE_256MB(28),
    HUGE_512MB(29),
    HUGE_1GB(30),
    HUGE_2GB(31),
    HUGE_16GB(34);

    private static final Path SYSFS = Path.of("/sys/kernel/mm/hugepages");

    private final int log2;

    HugePageSize(int log2) {
        this.log2 = log2;
    }

    /** The page size in bytes. */
    public long bytes() {
        return 1L << log2;
    }

    /** The page size's base-2 logarithm, which {@code memfd_create} takes in flag bits 26..31. */
    public int log2() {
        return log2;
    }

    /** The size of exactly {@code bytes} bytes, if there is one. */
    public static Optional<HugePageSize> ofBytes(long bytes) {
        for (HugePageSize size : values()) {
            if (size.bytes() == bytes) {
                return Optional.of(size);
            }
        }
        return Optional.empty();
    }

    /** Whether this kernel offers this page size at all (reserved pages or not). */
    public boolean isOfferedByKernel() {
        return Files.isDirectory(sysfsDirectory());
    }

    /** How many pages of this size are reserved now ({@code nr_hugepages}); 0 when the size is not offered. */
    public long reservedPages() {
        try {
            return Long.parseLong(Files.readString(sysfsDirectory().resolve("nr_hugepages")).trim());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the reserved huge pages of size " + this, e);
        }
    }

    /** The sizes this kernel offers, whether or not pages of them are reserved. */
    public static Set<HugePageSize> offeredByKernel() {
        Set<HugePageSize> offered = EnumSet.noneOf(HugePageSize.class);
        for (HugePageSize size : values()) {
            if (size.isOfferedByKernel()) {
                offered.add(size);
            }
        }
        return offered;
    }

    private Path sysfsDirectory() {
        return SYSFS.resolve("hugepages-" + (bytes() >> 10) + "kB");
    }

    @Override
    public String toString() {
        return name().substring("HUGE_".length());
    }
}
