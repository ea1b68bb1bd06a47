package io.memfd.spring.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import io.memfd.HugePageSize;
import io.memfd.KernelFeatures;
import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.MemFdRegistry;
import io.memfd.OutOfDescriptorsException;

/**
 * The health of memfd in this application, as the {@code memfd} component.
 * <ul>
 * <li>{@link Status#DOWN DOWN} when a memfd can no longer be created (each check creates and closes an empty one with
 * the factory's options, outside its registry, so fd exhaustion or a seccomp policy shows up at once; the
 * {@code error} detail says why).
 * <li>{@link #WARNING} when the budget in use, or the count of live buffers, has reached the warning threshold, up to
 * and including the limit itself. A full budget is the limit doing its job, not memfd failing: were it DOWN, any
 * client allowed to upload could fill the budget and so take the instance out of a load balancer that probes the
 * aggregate health, although everything but further uploads still works.
 * <li>{@link Status#UP UP} otherwise.
 * </ul>
 * Details: {@code count}, {@code usedBytes}, {@code leaked}, and with a budget {@code maxTotalSize},
 * {@code budgetUsage} (0 to 1) and {@code warningThreshold}; {@code maxCount} and {@code countUsage} (0 to 1) with a
 * maximum count; {@code maxSize} with a per-buffer limit; {@code kernel}:
 * {@code noexecSeal}, {@code futureWriteSeal}, the {@code hugePageSizes} offered, and how this process calls the
 * kernel: {@code nativeBackend} ({@code ffm} or {@code jna}) and {@code nativeBackendReason}.
 *
 * <p><b>WARNING is a status of its own, not a failure.</b> Spring Boot's default order (DOWN, OUT_OF_SERVICE, UP,
 * UNKNOWN) does not know it, so the aggregate {@code /actuator/health} status and its HTTP code ignore it: a warning
 * never takes an instance out of service, yet {@code components.memfd.status} shows it. To let it count, add it to
 * the order, e.g. {@code management.endpoint.health.status.order=down,out-of-service,warning,up,unknown}; its HTTP
 * code is 200 unless {@code management.endpoint.health.status.http-mapping.warning} says otherwise. A health group
 * made of this component alone reports UNKNOWN while it warns, unless the group's order includes it.
 */
public class MemFdHealthIndicator extends AbstractHealthIndicator {

    /** The budget in use has reached the warning threshold; memfds still work. */
    public static final Status WARNING = new Status("WARNING");

    private final MemFdFactory factory;
    private final Map<String, Object> kernel;
    private final double warningThreshold;

    /**
     * @param factory the factory whose buffers and budget are reported
     * @param features the kernel's features, detected once: they do not change while the application runs
     * @param warningThreshold the share of the budget (0 to 1) in use from which the status is {@link #WARNING}
     */
    public MemFdHealthIndicator(MemFdFactory factory, KernelFeatures features, double warningThreshold) {
        super("memfd health check failed");
        this.factory = factory;
        this.kernel = describe(features);
        this.warningThreshold = warningThreshold;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        MemFdRegistry registry = factory.registry();
        long used = registry.usedBytes();
        int count = registry.count();
        builder.up()
                .withDetail("count", count)
                .withDetail("usedBytes", used)
                .withDetail("leaked", registry.leakedCount());
        registry.maxTotalSize().ifPresent(budget -> checkBudget(builder, used, budget));
        registry.maxCount().ifPresent(maxCount -> checkCount(builder, count, maxCount));
        registry.maxSize().ifPresent(maxSize -> builder.withDetail("maxSize", maxSize));
        builder.withDetail("kernel", kernel);
        // Last: a failure here turns the status DOWN with the exception as the error detail.
        try {
            MemFd.create(factory.namePrefix() + "health-probe", factory.options()).close();
        } catch (OutOfDescriptorsException e) {
            // DOWN all the same, but without the warning and stack trace Spring Boot logs for a failed check: out of
            // descriptors is a passing state that clients can bring about, and probes come every few seconds.
            builder.down().withDetail("error", e.getMessage());
        }
    }

    private void checkBudget(Health.Builder builder, long used, long budget) {
        builder.withDetail("maxTotalSize", budget)
                .withDetail("budgetUsage", (double) used / budget)
                .withDetail("warningThreshold", warningThreshold);
        rate(builder, used, budget);
    }

    private void checkCount(Health.Builder builder, int count, int maxCount) {
        builder.withDetail("maxCount", maxCount)
                .withDetail("countUsage", (double) count / maxCount)
                .withDetail("warningThreshold", warningThreshold);
        rate(builder, count, maxCount);
    }

    /** WARNING from the threshold on, the limit included. */
    private void rate(Health.Builder builder, long used, long limit) {
        if ((double) used / limit >= warningThreshold) {
            builder.status(WARNING);
        }
    }

    private static Map<String, Object> describe(KernelFeatures features) {
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("noexecSeal", features.noexecSeal());
        kernel.put("futureWriteSeal", features.futureWriteSeal());
        kernel.put("hugePageSizes", features.hugePageSizes().stream().map(HugePageSize::toString).toList());
        kernel.put("nativeBackend", features.nativeBackend());
        kernel.put("nativeBackendReason", features.nativeBackendReason());
        return Collections.unmodifiableMap(kernel);
    }
}
