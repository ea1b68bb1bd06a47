package io.memfd.spring.autoconfigure;

import io.memfd.MemFdFactory;

/**
 * Customizes the auto-configured {@link MemFdFactory} after the {@code memfd.*} properties were applied, e.g. to set
 * a {@link io.memfd.LeakListener} that reports to the application's monitoring. Beans of this type are applied in
 * their {@link org.springframework.core.annotation.Order order}.
 */
@FunctionalInterface
public interface MemFdFactoryBuilderCustomizer {

    void customize(MemFdFactory.Builder builder);
}
