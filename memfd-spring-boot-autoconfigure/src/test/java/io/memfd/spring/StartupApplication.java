package io.memfd.spring;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import io.memfd.MemFdFactory;
import io.memfd.spring.testing.MemfdCreateForbidden;

/**
 * A Spring Boot application that starts on a thread where {@code memfd_create} is forbidden by a seccomp filter, for
 * {@link MemfdForbiddenApplicationTests} to run in a child JVM: everything Spring Boot prints is real.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class MemfdForbiddenApplication {

    public static void main(String[] args) {
        MemfdCreateForbidden.onThisThread();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(MemfdForbiddenApplication.class)
            .web(WebApplicationType.NONE)
            .run(args)) {
            System.out.println("Started with " + context.getBeanNamesForType(MemFdFactory.class).length
                    + " MemFdFactory beans");
        }
    }
}
