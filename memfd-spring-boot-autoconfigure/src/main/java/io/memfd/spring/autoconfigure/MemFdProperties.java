package io.memfd.spring.autoconfigure;

import java.util.EnumSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import io.memfd.LeakDetection;
import io.memfd.MemFd;
import io.memfd.Seal;

/**
 * Configuration of memfd support ({@code memfd.*}). The defaults suit a web application: buffers are sealed
 * immutable, not executable, closed in child processes, and limited to 64MB each and 512MB together, so that no
 * request can take the process's memory.
 *
 * <p>The properties validate themselves when they are bound: a size or count that is not positive, an empty set of
 * seals, a name prefix that is no valid memfd name, or a huge page size the kernel does not offer fails start-up with
 * a report that names the property. An unknown seal name fails the same way, listing the valid ones.
 */
@ConfigurationProperties("memfd")
public class MemFdProperties implements Validator {

    /**
     * Whether to enable memfd support. When unset, it is enabled where memfd_create(2) works and switches itself off
     * elsewhere (another OS, a seccomp profile or security module that forbids it) with one log line. When true,
     * start-up fails where memfd cannot work; when false, memfd support is off.
     */
    private @Nullable Boolean enabled;

    /**
     * Seals added when a buffer is sealed without naming seals: write, shrink and grow make content and size
     * permanent, seal forbids adding or changing seals later. Also future-write (Linux 5.1+) and exec (Linux 6.3+).
     */
    private Set<Seal> defaultSeals = EnumSet.copyOf(Seal.IMMUTABLE);

    /** Largest size of one buffer; a write or upload that would pass it fails and leaves no buffer behind. */
    private DataSize maxSize = DataSize.ofMegabytes(64);

    /**
     * Most memory all live buffers may hold together; a buffer that would pass it fails. What counts is what the
     * kernel holds: each buffer's size rounded up to whole pages (a one-byte buffer holds a 4KB page), plus about 1KB
     * for its file. memfd pages count against the process's cgroup memory, outside the Java heap.
     */
    private DataSize maxTotalSize = DataSize.ofMegabytes(512);

    /**
     * Most live buffers at once, created and received together; one more fails before it is created. Each holds a
     * descriptor however small it is, so this keeps buffers from taking every descriptor the process may have. Default:
     * half the process's descriptor limit (ulimit -n, as the JVM raised it at start-up).
     */
    private @Nullable Integer maxCount;

    /**
     * Put before every buffer's name, e.g. the application's name, to tell its buffers apart in /proc/PID/fd and
     * /proc/PID/maps. Names (with the prefix) may have at most 249 bytes in UTF-8 and no control characters. A
     * memfd:NAME location names a buffer as the application named it, without the prefix.
     */
    private String namePrefix = "";

    /**
     * Whether buffers may be executed. When false, they are created with MFD_NOEXEC_SEAL where the kernel has it
     * (Linux 6.3+). Turn on only to execute code from a buffer; the vm.memfd_noexec=2 policy forbids executable
     * buffers.
     */
    private boolean executable;

    /** Whether buffer descriptors are closed in programs the application executes (MFD_CLOEXEC). */
    private boolean closeOnExec = true;

    /**
     * Huge page size that backs buffers: none, or a size the kernel offers, such as 2MB or 1GB on x86_64. Huge-page
     * buffers need pages reserved in /sys/kernel/mm/hugepages, cannot be written with write(2) (only through a
     * mapping, so the copying methods of MemFdResources fail on them), and have sizes in whole pages.
     */
    private HugePages hugePages = HugePages.NONE;

    /**
     * What happens when a buffer becomes unreachable without being closed: the garbage collector always closes it;
     * report logs a warning with its name, size and seals; trace also records where each buffer was created (costly,
     * for hunting a leak); none only counts it.
     */
    private LeakDetection leakDetection = LeakDetection.REPORT;

    public @Nullable Boolean getEnabled() {
        return this.enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
    }

    public Set<Seal> getDefaultSeals() {
        return this.defaultSeals;
    }

    public void setDefaultSeals(Set<Seal> defaultSeals) {
        this.defaultSeals = defaultSeals;
    }

    public DataSize getMaxSize() {
        return this.maxSize;
    }

    public void setMaxSize(DataSize maxSize) {
        this.maxSize = maxSize;
    }

    public DataSize getMaxTotalSize() {
        return this.maxTotalSize;
    }

    public void setMaxTotalSize(DataSize maxTotalSize) {
        this.maxTotalSize = maxTotalSize;
    }

    public @Nullable Integer getMaxCount() {
        return this.maxCount;
    }

    public void setMaxCount(@Nullable Integer maxCount) {
        this.maxCount = maxCount;
    }

    public String getNamePrefix() {
        return this.namePrefix;
    }

    public void setNamePrefix(String namePrefix) {
        this.namePrefix = namePrefix;
    }

    public boolean isExecutable() {
        return this.executable;
    }

    public void setExecutable(boolean executable) {
        this.executable = executable;
    }

    /**
     * The opposite of {@link #isExecutable()}, under the property's old name. Its deprecation names no replacement on
     * purpose: tools that move a value to the replacement (the properties migrator, IDEs) would turn
     * {@code memfd.noexec=true} into {@code memfd.executable=true}.
     *
     * @deprecated since 0.1.0 for removal; use {@code memfd.executable} with the opposite value
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    @DeprecatedConfigurationProperty(reason = "Use memfd.executable with the opposite value: memfd.noexec=false is"
            + " memfd.executable=true", since = "0.1.0")
    public boolean isNoexec() {
        return !this.executable;
    }

    /** @deprecated since 0.1.0 for removal; use {@link #setExecutable(boolean)} with the opposite value */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public void setNoexec(boolean noexec) {
        this.executable = !noexec;
    }

    public boolean isCloseOnExec() {
        return this.closeOnExec;
    }

    public void setCloseOnExec(boolean closeOnExec) {
        this.closeOnExec = closeOnExec;
    }

    public HugePages getHugePages() {
        return this.hugePages;
    }

    /** Null, as code may set it, means normal pages rather than a NullPointerException at start-up. */
    public void setHugePages(@Nullable HugePages hugePages) {
        this.hugePages = (hugePages != null) ? hugePages : HugePages.NONE;
    }

    public LeakDetection getLeakDetection() {
        return this.leakDetection;
    }

    public void setLeakDetection(LeakDetection leakDetection) {
        this.leakDetection = leakDetection;
    }

    @Override
    public boolean supports(Class<?> type) {
        return MemFdProperties.class.isAssignableFrom(type);
    }

    /** Called by Spring Boot after binding; each error names its property in the start-up failure report. */
    @Override
    public void validate(Object target, Errors errors) {
        MemFdProperties properties = (MemFdProperties) target;
        rejectUnlessPositive(errors, "maxSize", properties.maxSize);
        rejectUnlessPositive(errors, "maxTotalSize", properties.maxTotalSize);
        if (properties.defaultSeals == null || properties.defaultSeals.isEmpty()) {
            errors.rejectValue("defaultSeals", "memfd.empty",
                    "must name at least one seal: write, shrink, grow, seal, future-write or exec");
        }
        if (properties.maxCount != null && properties.maxCount <= 0) {
            errors.rejectValue("maxCount", "memfd.notPositive", "must be a positive number of buffers");
        }
        try {
            MemFd.checkName(properties.namePrefix);
        } catch (IllegalArgumentException e) {
            errors.rejectValue("namePrefix", "memfd.invalid", e.getMessage());
        }
        try {
            properties.hugePages.pageSize();
        } catch (IllegalArgumentException e) {
            errors.rejectValue("hugePages", "memfd.invalid", e.getMessage());
        }
    }

    private static void rejectUnlessPositive(Errors errors, String field, @Nullable DataSize size) {
        if (size == null || size.toBytes() <= 0) {
            errors.rejectValue(field, "memfd.notPositive", "must be a positive size, such as 64MB");
        }
    }
}
