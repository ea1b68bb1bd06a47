package io.memfd.spring;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

import io.memfd.KernelFeatures;
import io.memfd.MemFdFactory;
import io.memfd.MemFdOptions;
import io.memfd.spring.io.MemFdResources;

/**
 * Auto-configuration for memfd: a {@link MemFdFactory} configured from {@code memfd.*} ({@link MemFdProperties}),
 * {@link MemFdResources} on top of it, and {@code memfd:} resource locations. Every bean backs off when the
 * application defines its own. The whole configuration backs off where memfd cannot work, unless
 * {@code memfd.enabled=true} asks for it; see {@link OnMemFdCondition}.
 */
@AutoConfiguration
@Conditional(OnMemFdCondition.class)
@EnableConfigurationProperties(MemFdProperties.class)
public final class MemFdAutoConfiguration {

    /**
     * What this kernel offers, probed once at start-up. Where memfds cannot be created (reachable only with
     * {@code memfd.enabled=true}), this bean fails start-up with {@link MemFdUnavailableException}.
     */
    @Bean
    @ConditionalOnMissingBean
    KernelFeatures memFdKernelFeatures() {
        KernelFeatures features = KernelFeatures.detect();
        if (!features.available()) {
            throw new MemFdUnavailableException(features.problem());
        }
        return features;
    }

    /** The factory; it is closed with the context, closing the buffers still open. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    MemFdFactory memFdFactory(MemFdProperties properties, KernelFeatures kernelFeatures,
            ObjectProvider<MemFdFactoryBuilderCustomizer> customizers) {
        // kernelFeatures is taken so that the availability check runs before any factory exists.
        MemFdOptions options = MemFdOptions.defaults()
            .closeOnExec(properties.isCloseOnExec())
            .executable(!properties.isNoexec())
            .hugePages(MemFdProperties.hugePageSize(properties.getHugePages()).orElse(null));
        MemFdFactory.Builder builder = MemFdFactory.builder()
            .options(options)
            .defaultSeals(properties.getDefaultSeals())
            .namePrefix(properties.getNamePrefix())
            .maxSize(properties.getMaxSize().toBytes())
            .maxTotalSize(properties.getMaxTotalSize().toBytes())
            .leakDetection(properties.getLeakDetection());
        if (properties.getMaxCount() != null) {
            builder.maxCount(properties.getMaxCount());
        }
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        return builder.build();
    }

    /** Only for a single factory: with several and none primary, which one resources come from is the user's call. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(MemFdFactory.class)
    MemFdResources memFdResources(MemFdFactory memFdFactory) {
        return new MemFdResources(memFdFactory);
    }

    /** Static: a bean factory post-processor must not need this configuration class instantiated first. */
    @Bean
    @ConditionalOnMissingBean
    static MemFdProtocolResolverRegistrar memFdProtocolResolverRegistrar() {
        return new MemFdProtocolResolverRegistrar();
    }
}
