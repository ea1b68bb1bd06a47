package io.memfd.spring.autoconfigure.web.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.memfd.MemFdFactory;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.web.servlet.MemFdLocationPinning;
import io.memfd.spring.web.servlet.MemFdProblemErrorDispatchFilter;
import io.memfd.spring.web.servlet.MemFdProblemExceptionResolver;
import io.memfd.spring.web.servlet.MemFdWebMvcConfigurer;

/**
 * memfd in Spring MVC applications: {@code MemFdResource}s returned from controllers are sent from a descriptor of
 * the response's own without copying through the heap ({@code memfd.web.serving.enabled}), and memfd's limits are
 * answered as problem details ({@code memfd.web.problem-details.enabled}). Each bean backs off when the application
 * defines its own.
 */
@AutoConfiguration(after = MemFdAutoConfiguration.class)
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass({ WebMvcConfigurer.class, HttpServletResponse.class })
@ConditionalOnBean(MemFdFactory.class)
public final class MemFdWebMvcAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "memfd.web.serving.enabled", matchIfMissing = true)
    MemFdWebMvcConfigurer memFdWebMvcConfigurer() {
        return new MemFdWebMvcConfigurer();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "memfd.web.serving.enabled", matchIfMissing = true)
    MemFdLocationPinning memFdLocationPinning() {
        return new MemFdLocationPinning();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "memfd.web.problem-details.enabled", matchIfMissing = true)
    MemFdProblemExceptionResolver memFdProblemExceptionResolver() {
        return new MemFdProblemExceptionResolver();
    }

    /** Only for error dispatches, where it answers with a problem the resolver could no longer write itself. */
    @Bean
    @ConditionalOnMissingBean(name = "memFdProblemErrorDispatchFilter")
    @ConditionalOnProperty(name = "memfd.web.problem-details.enabled", matchIfMissing = true)
    FilterRegistrationBean<MemFdProblemErrorDispatchFilter> memFdProblemErrorDispatchFilter() {
        FilterRegistrationBean<MemFdProblemErrorDispatchFilter> registration = new FilterRegistrationBean<>(
                new MemFdProblemErrorDispatchFilter());
        registration.setDispatcherTypes(DispatcherType.ERROR);
        return registration;
    }
}
