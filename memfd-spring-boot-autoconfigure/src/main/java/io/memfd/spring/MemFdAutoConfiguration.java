package io.memfd.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.memfd.MemFdFactory;

/** Registers a {@link MemFdFactory}. */
@AutoConfiguration
public class MemFdAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    MemFdFactory memFdFactory() {
        return MemFdFactory.builder().build();
    }
}
