package io.memfd;

import java.util.Objects;
import java.util.Optional;

/**
 * How to create a memfd: immutable, each method returns a changed copy.
 *
 * <pre>{@code
 * MemFd fd = MemFdOptions.defaults().hugePages(HugePageSize.HUGE_2MB).create("frames");
 * }</pre>
 *
 * The defaults are close-on-exec on, sealing allowed, not executable ({@code MFD_NOEXEC_SEAL} where the kernel has
 * it, Linux 6.3+), no huge pages.
 */
public final class MemFdOptions {

    private static final MemFdOptions DEFAULTS = new MemFdOptions(true, true, false, null);

    private final boolean closeOnExec;
    private final boolean allowSealing;
    private final boolean executable;
    private final HugePageSize hugePages;

    private MemFdOptions(boolean closeOnExec, boolean allowSealing, boolean executable, HugePageSize hugePages) {
        this.closeOnExec = closeOnExec;
        this.allowSealing = allowSealing;
        this.executable = executable;
        this.hugePages = hugePages;
    }

    public static MemFdOptions defaults() {
        return DEFAULTS;
    }

    /** Whether the descriptor is closed in programs this process executes ({@code MFD_CLOEXEC}). Default true. */
    public MemFdOptions closeOnExec(boolean closeOnExec) {
        return new MemFdOptions(closeOnExec, allowSealing, executable, hugePages);
    }

    /**
     * Whether seals may be added ({@code MFD_ALLOW_SEALING}). Default true. Without it the memfd starts with
     * {@link Seal#SEAL}, so no seal can ever be added.
     */
    public MemFdOptions allowSealing(boolean allowSealing) {
        return new MemFdOptions(closeOnExec, allowSealing, executable, hugePages);
    }

    /**
     * Whether the memfd may be executed ({@code MFD_EXEC}). Default false: the memfd is created with
     * {@code MFD_NOEXEC_SEAL} (mode 0666 and {@link Seal#EXEC}) where the kernel knows it (6.3+). Executable memfds
     * fail with {@link NotPermittedException} where the {@code vm.memfd_noexec} sysctl is 2.
     */
    public MemFdOptions executable(boolean executable) {
        return new MemFdOptions(closeOnExec, allowSealing, executable, hugePages);
    }

    /** Back the memfd with huge pages of this size ({@code MFD_HUGETLB}); {@code null} for normal pages (default). */
    public MemFdOptions hugePages(HugePageSize hugePages) {
        return new MemFdOptions(closeOnExec, allowSealing, executable, hugePages);
    }

    public boolean isCloseOnExec() {
        return closeOnExec;
    }

    public boolean isAllowSealing() {
        return allowSealing;
    }

    public boolean isExecutable() {
        return executable;
    }

    public Optional<HugePageSize> hugePages() {
        return Optional.ofNullable(hugePages);
    }

    /** Creates a memfd with these options; see {@link MemFd#create(String, MemFdOptions)}. */
    public MemFd create(String name) {
        return MemFd.create(name, this);
    }

    /** The size of the pages that will back the memfd. */
    long pageSize() {
        return hugePages == null ? FileStatus.PAGE_SIZE : hugePages.bytes();
    }

    /** The {@code memfd_create} flags, including the exec flag to try first. */
    int flags() {
        int flags = executable ? MemfdCreate.MFD_EXEC : MemfdCreate.MFD_NOEXEC_SEAL;
        if (closeOnExec) {
            flags |= MemfdCreate.MFD_CLOEXEC;
        }
        if (allowSealing) {
            flags |= MemfdCreate.MFD_ALLOW_SEALING;
        }
        if (hugePages != null) {
            flags |= MemfdCreate.MFD_HUGETLB | hugePages.log2() << MemfdCreate.HUGETLB_SHIFT;
        }
        return flags;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MemFdOptions && ((MemFdOptions) other).closeOnExec == closeOnExec
                && ((MemFdOptions) other).allowSealing == allowSealing
                && ((MemFdOptions) other).executable == executable && ((MemFdOptions) other).hugePages == hugePages;
    }

    @Override
    public int hashCode() {
        return Objects.hash(closeOnExec, allowSealing, executable, hugePages);
    }

    @Override
    public String toString() {
        return "MemFdOptions[closeOnExec=" + closeOnExec + ", allowSealing=" + allowSealing + ", executable="
                + executable + ", hugePages=" + (hugePages == null ? "none" : hugePages) + "]";
    }
}
