package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * Tests of Spring MVC on Jetty: tagged "jetty", so that they run in the surefire execution whose class path has Jetty
 * instead of Tomcat (as an application that swapped the starters has it), and checked to be on Jetty indeed.
 */
@Tag("jetty")
interface RunsOnJetty {

    @BeforeEach
    default void onJetty(@Autowired ApplicationContext context) {
        assertThat(((WebServerApplicationContext) context).getWebServer().getClass().getSimpleName())
            .as("the server these tests run on").startsWith("Jetty");
    }
}
