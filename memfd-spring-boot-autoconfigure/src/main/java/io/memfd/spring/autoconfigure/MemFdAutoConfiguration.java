package io.memfd.spring.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ImportRuntimeHints;

import io.memfd.KernelFeatures;
import io.memfd.MemFdFactory;
import io.memfd.MemFdOptions;
import io.memfd.spring.autoconfigure.web.MemFdWebProperties;
import io.memfd.spring.io.MemFdResources;
import io.memfd.spring.io.MemFdUploads;

/**
 * Auto-configuration for memfd: a {@link MemFdFactory} configured from {@code memfd.*} ({@link MemFdProperties}),
 * {@link MemFdResources} on top of it, {@link MemFdUploads} (the uploads in progress) and
 * {@code memfd:} resource locations. Every bean backs off when the
 * application defines its own. The whole configuration backs off where memfd cannot work, unless
 * {@code memfd.enabled=true} asks for it; see {@link OnMemFdCondition}.
 */
@AutoConfiguration
@Conditional(OnMemFdCondition.class)
@EnableConfigurationProperties({ MemFdProperties.class, MemFdWebProperties.class })
@ImportRuntimeHints(MemFdRuntimeHints.class)
public final class MemFdAutoConfiguration {

    private static final Log logger = LogFactory.getLog(MemFdAutoConfiguration.class);

    /**
     * What this kernel offers, probed once at start-up, in this process. Where memfds cannot be created, this bean
     * fails start-up with {@link MemFdUnavailableException}. That happens with {@code memfd.enabled=true}, or under
     * Spring AOT, whose build evaluated {@link OnMemFdCondition} on the build machine: this probe is the one that
     * speaks for the machine the application runs on.
     */
    @Bean
    @ConditionalOnMissingBean
    KernelFeatures memFdKernelFeatures(MemFdProperties properties) {
        NativeAccess.adviseIfRestricted(logger);
        KernelFeatures features = KernelFeatures.detect();
        // Without memfd.enabled=true this configuration is active only because its condition matched where it was
        // evaluated: at build time, under Spring AOT, when the probe here fails.
        if (!features.available()) {
            throw new MemFdUnavailableException(features, !Boolean.TRUE.equals(properties.getEnabled()));
        }
        if (Boolean.FALSE.equals(properties.getEnabled())) {
            logger.warn("memfd.enabled=false is ignored: this application was built with Spring AOT while memfd"
                    + " support was on, and AOT fixes conditions at build time. Build it with memfd.enabled=false to"
                    + " switch memfd support off");
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
            .executable(properties.isExecutable())
            .hugePages(properties.getHugePages().pageSize().orElse(null));
        if (options.hugePages().isPresent()) {
            logger.warn("memfd.huge-pages=" + properties.getHugePages() + ": every memfd of this factory is on"
                    + " hugetlbfs, which has no write(): uploads received with MemFdResources or"
                    + " ReactiveMemFdResources fail, as does MemFd.write; fill such memfds through a mapping, or set"
                    + " memfd.huge-pages=none");
        }
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
    MemFdResources memFdResources(MemFdFactory memFdFactory, MemFdUploads memFdUploads,
            MemFdWebProperties webProperties) {
        return new MemFdResources(memFdFactory, memFdUploads, webProperties.getUploadIdleTimeout(),
                webProperties.getUploadMinimumRate());
    }

    /** The uploads in progress, blocking and reactive alike, for {@code /actuator/memfd} and for cancelling one. */
    @Bean
    @ConditionalOnMissingBean
    MemFdUploads memFdUploads() {
        return new MemFdUploads();
    }

    /** Static: a bean factory post-processor must not need this configuration class instantiated first. */
    @Bean
    @ConditionalOnMissingBean
    static MemFdProtocolResolverRegistrar memFdProtocolResolverRegistrar() {
        return new MemFdProtocolResolverRegistrar();
    }
}
