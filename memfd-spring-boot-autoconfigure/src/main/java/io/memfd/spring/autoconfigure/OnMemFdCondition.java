package io.memfd.spring.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

import io.memfd.KernelFeatures;

/**
 * Matches where memfd support should be configured: {@code memfd.enabled} is true (where memfd then cannot work, the
 * {@link KernelFeatures} bean fails start-up, with a failure analysis), or it is unset and this process can create a
 * memfd. Where it cannot, the condition does not match and logs why, once: at INFO on another OS, where that is
 * expected, and at WARN on Linux, where a policy or an old kernel is in the way.
 */
class OnMemFdCondition extends SpringBootCondition {

    private static final Log logger = LogFactory.getLog(MemFdAutoConfiguration.class);

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("memfd");
        Boolean enabled = enabled(context.getEnvironment());
        if (enabled != null) {
            return new ConditionOutcome(enabled, message.because("memfd.enabled is " + enabled));
        }
        // A probe, not a cached answer: each context sees the process as it is now (a seccomp filter may have come).
        NativeAccess.adviseIfRestricted(logger);
        KernelFeatures features = KernelFeatures.detect();
        if (features.available()) {
            return ConditionOutcome.match(message.because("memfd_create works in this process"));
        }
        logBackOff(features.problem());
        return ConditionOutcome.noMatch(message.because("memfd_create does not work in this process: "
                + features.problem()));
    }

    /** {@code memfd.enabled} as set; {@code null} where it is not, and the process decides. */
    static @Nullable Boolean enabled(Environment environment) {
        return Binder.get(environment).bind("memfd.enabled", Boolean.class).orElse(null);
    }

    private static void logBackOff(String problem) {
        String line = "memfd support is off because this process cannot create memfds (" + problem + "); no"
                + " MemFdFactory, MemFdResources, memfd: locations, IPC server or IPC client are configured. Set"
                + " memfd.enabled=true to make this a start-up failure, or memfd.enabled=false to switch memfd support"
                + " off without this check";
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            logger.warn(line);
        } else {
            logger.info(line);
        }
    }
}
