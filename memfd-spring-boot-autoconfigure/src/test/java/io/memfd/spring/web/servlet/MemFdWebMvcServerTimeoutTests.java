package io.memfd.spring.web.servlet;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The server's own read timeout (2 s) comes before memfd.web.upload-idle-timeout (30 s): it ends the upload, and the
 * answer is the same 408 problem (on Tomcat; Jetty in {@link MemFdWebMvcJettyServerTimeoutTests}).
 */
@SpringBootTest(classes = MvcApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "memfd.web.upload-idle-timeout=30s",
                "server.tomcat.connection-timeout=2s", "server.jetty.connection-idle-timeout=2s" })
class MemFdWebMvcServerTimeoutTests extends AbstractSilentUploadTests {

    MemFdWebMvcServerTimeoutTests() {
        super("cut-short", "'cut-short' arrived within the server's read timeout after 100000 bytes");
    }
}
