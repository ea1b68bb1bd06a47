package io.memfd.spring.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

import io.memfd.KernelFeatures;

/**
 * Explains a missing memfd bean ({@code MemFdResources}, {@code MemFdFactory}...) when memfd support is off: where
 * memfds cannot be used (another OS, a seccomp policy) or with {@code memfd.enabled=false}, the starter configures
 * none, and an application written for Linux fails to start. Spring Boot's own analysis cannot say why: the condition
 * that switched memfd support off sits on the auto-configuration class, and a failed start has already dropped the
 * condition report. So the reason is found again, as {@link OnMemFdCondition} found it.
 */
class MemFdOffFailureAnalyzer extends AbstractFailureAnalyzer<NoSuchBeanDefinitionException> implements Ordered {

    private final Environment environment;

    MemFdOffFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause) {
        Class<?> type = cause.getBeanType();
        if (type == null || !type.getName().startsWith("io.memfd.")) {
            return null;
        }
        String whyOff = whyMemFdSupportIsOff();
        if (whyOff == null) {
            return null;
        }
        String name = type.getSimpleName();
        return new FailureAnalysis("This application needs a bean of type " + type.getName()
                + ", which the memfd starter configures only while memfd support is on, and memfd support is off: "
                + whyOff + ".",
                "Where the application can do without memfds, let the component that needs one say so: inject "
                        + "ObjectProvider<" + name + "> and use getIfAvailable(), or annotate it with "
                        + "@ConditionalOnBean(" + name + ".class). Where it cannot, run it where memfd_create(2) "
                        + "works (Linux 3.17+, not forbidden by seccomp or an LSM); set memfd.enabled=true to have "
                        + "start-up report exactly what fails.",
                cause);
    }

    /** Why memfd support is off; {@code null} where it is on (the bean is then missing for another reason). */
    private @Nullable String whyMemFdSupportIsOff() {
        Boolean enabled = OnMemFdCondition.enabled(this.environment);
        if (enabled != null) {
            return enabled ? null : "memfd.enabled is false";
        }
        KernelFeatures features = KernelFeatures.detect();
        return features.available() ? null : "this process cannot create memfds (" + features.problem() + ")";
    }

    /** Before Spring Boot's analysis of a missing bean, which would otherwise answer first, without the reason. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
