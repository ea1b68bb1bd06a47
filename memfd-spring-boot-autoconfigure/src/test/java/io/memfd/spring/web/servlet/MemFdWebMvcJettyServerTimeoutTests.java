package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/** {@link MemFdWebMvcServerTimeoutTests} on Jetty (tag "jetty", as {@link MemFdWebMvcJettyTests}). */
@Tag("jetty")
class MemFdWebMvcJettyServerTimeoutTests extends MemFdWebMvcServerTimeoutTests {

    @BeforeEach
    void onJetty(@Autowired ApplicationContext context) {
        assertThat(((WebServerApplicationContext) context).getWebServer().getClass().getSimpleName())
            .as("the server these tests run on").startsWith("Jetty");
    }
}
