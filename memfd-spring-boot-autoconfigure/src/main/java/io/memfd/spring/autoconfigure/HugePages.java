package io.memfd.spring.autoconfigure;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

import io.memfd.HugePageSize;

/**
 * The pages that back buffers, as {@code memfd.huge-pages} names them: {@code none} for normal pages, or a size such
 * as {@code 2MB}. Any size binds; whether it is a huge page size this kernel offers is checked with the other
 * {@code memfd.*} properties, after binding, so that start-up reports every invalid value at once.
 */
public final class HugePages {

    /** Normal pages, the default. */
    public static final HugePages NONE = new HugePages(null);

    /** The units DataSize reads, each 1024 times the one before. */
    private static final String[] UNITS = { "B", "KB", "MB", "GB", "TB" };

    private final @Nullable DataSize size;

    private HugePages(@Nullable DataSize size) {
        this.size = size;
    }

    /**
     * {@code none} (in any case, or blank) or a size such as {@code 2MB}, as {@link DataSize} reads it. Spring Boot's
     * binder converts property values with this method.
     *
     * @throws IllegalArgumentException if the value is neither
     */
    public static HugePages valueOf(String value) {
        String trimmed = value.trim();
        if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
            return NONE;
        }
        try {
            return new HugePages(DataSize.parse(trimmed));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be none or a huge page size such as 2MB or 1GB");
        }
    }

    /**
     * The huge page size, or empty for normal pages.
     *
     * @throws IllegalArgumentException if the size is not a huge page size this kernel offers; the message says why
     */
    public Optional<HugePageSize> pageSize() {
        if (this.size == null) {
            return Optional.empty();
        }
        HugePageSize pageSize = HugePageSize.ofBytes(this.size.toBytes())
            .orElseThrow(() -> new IllegalArgumentException(
                    "not a huge page size; the sizes Linux knows are " + EnumSet.allOf(HugePageSize.class)));
        if (!pageSize.isOfferedByKernel()) {
            throw new IllegalArgumentException("this kernel does not offer " + pageSize + " huge pages; it offers "
                    + HugePageSize.offeredByKernel() + " (see /sys/kernel/mm/hugepages)");
        }
        return Optional.of(pageSize);
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof HugePages pages && Objects.equals(this.size, pages.size);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(this.size);
    }

    /** As configuration writes it: {@code none}, or the size in the largest unit that divides it, such as 2MB. */
    @Override
    public String toString() {
        if (this.size == null) {
            return "none";
        }
        long value = this.size.toBytes();
        int unit = 0;
        while (value != 0 && value % 1024 == 0 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return value + UNITS[unit];
    }
}
