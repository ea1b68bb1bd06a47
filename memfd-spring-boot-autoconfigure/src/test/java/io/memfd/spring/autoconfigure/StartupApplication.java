package io.memfd.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.spring.io.MemFdResources;
import io.memfd.spring.testing.MemfdCreateForbidden;

/**
 * A Spring Boot application with the starter's auto-configuration, for tests to start in a child JVM: everything
 * Spring Boot prints is real. With {@code --forbid-memfd-create} it starts on a thread where a seccomp filter forbids
 * {@code memfd_create}. It prints how many factories it got, creates a memfd with the one it got and looks it up as a
 * {@code memfd:} location. With {@code --needs-memfd-resources} it also has a component that cannot do without
 * {@link MemFdResources}, as an application written for Linux has.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class StartupApplication {

    public static void main(String[] args) {
        List<String> arguments = new ArrayList<>(List.of(args));
        if (arguments.remove("--forbid-memfd-create")) {
            MemfdCreateForbidden.onThisThread();
        }
        Class<?>[] sources = arguments.remove("--needs-memfd-resources")
                ? new Class<?>[] { StartupApplication.class, NeedsMemFdResources.class }
                : new Class<?>[] { StartupApplication.class };
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(sources)
            .web(WebApplicationType.NONE)
            .run(arguments.toArray(String[]::new))) {
            System.out.println("Started with " + context.getBeanNamesForType(MemFdFactory.class).length
                    + " MemFdFactory beans");
            context.getBeanProvider(MemFdFactory.class).ifAvailable((factory) -> {
                try (MemFd memfd = factory.create("started")) {
                    System.out.println("Created memfd " + memfd.name() + "; memfd:started "
                            + (context.getResource("memfd:started").exists() ? "resolves" : "does not resolve"));
                }
            });
        }
    }

    /** A component that takes {@link MemFdResources} as a plain constructor argument. */
    static class NeedsMemFdResources {

        NeedsMemFdResources(MemFdResources resources) {
        }
    }
}
