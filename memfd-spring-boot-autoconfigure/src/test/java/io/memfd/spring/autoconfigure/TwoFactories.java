package io.memfd.spring.autoconfigure;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.memfd.MemFdFactory;

/** Two factories and neither primary: what the application then gets from the starter is its own call. */
@Configuration(proxyBeanMethods = false)
public class TwoFactories {

    @Bean(destroyMethod = "close")
    MemFdFactory firstFactory() {
        return MemFdFactory.builder().build();
    }

    @Bean(destroyMethod = "close")
    MemFdFactory secondFactory() {
        return MemFdFactory.builder().build();
    }
}
