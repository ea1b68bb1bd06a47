package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.MemFdFactory;
import io.memfd.spring.web.RawHttp;
import io.memfd.testing.OpenFds;

/**
 * An upload whose client falls silent for good: its memfd is closed after memfd.web.upload-idle-timeout, and the
 * answer, once the server's own read timeout ends the blocked read, is still the 408 problem (on Tomcat; Jetty in
 * {@link MemFdWebMvcJettySilentUploadTests}).
 */
@SpringBootTest(classes = MvcApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "memfd.web.upload-idle-timeout=1s",
                "server.tomcat.connection-timeout=3s", "server.jetty.connection-idle-timeout=3s" })
class MemFdWebMvcSilentUploadTests {

    @LocalServerPort
    private int port;

    @Autowired
    private MemFdFactory factory;

    @Test
    void aClientSilentForGoodGetsA408ProblemWhenTomcatsReadTimesOut() throws Exception {
        try (Socket socket = new RawHttp(this.port).open()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head("POST", "/files/silent", 1_000_000));
            out.write(new byte[100_000]);
            out.flush();
            RawHttp.Response dropped = RawHttp.Response.read(socket.getInputStream(), false);
            assertThat(dropped.status()).as(dropped.toString()).isEqualTo(408);
            assertThat(dropped.header("Content-Type")).hasValue("application/problem+json");
            assertThat(dropped.json().read("$.detail", String.class)).contains("memfd.web.upload-idle-timeout");
        }
        assertThat(OpenFds.memfdsNamed("silent")).isZero();
        assertThat(this.factory.registry().count()).isZero();
    }
}
