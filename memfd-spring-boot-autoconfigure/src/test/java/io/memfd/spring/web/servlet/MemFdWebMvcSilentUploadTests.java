package io.memfd.spring.web.servlet;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * memfd.web.upload-idle-timeout (1 s) comes before the server's read timeout (3 s): the memfd is closed then, and the
 * answer, once the server's timeout ends the blocked read, is still the 408 problem (on Tomcat; Jetty in
 * {@link MemFdWebMvcJettySilentUploadTests}).
 */
@SpringBootTest(classes = MvcApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "memfd.web.upload-idle-timeout=1s",
                "server.tomcat.connection-timeout=3s", "server.jetty.connection-idle-timeout=3s" })
class MemFdWebMvcSilentUploadTests extends AbstractSilentUploadTests {

    MemFdWebMvcSilentUploadTests() {
        super("silent", "memfd.web.upload-idle-timeout");
    }
}
