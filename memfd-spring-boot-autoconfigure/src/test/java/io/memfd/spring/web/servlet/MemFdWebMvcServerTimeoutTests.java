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
 * An upload whose client falls silent where the server's own read timeout is shorter than
 * memfd.web.upload-idle-timeout: the server's timeout ends it, and the answer is the same 408 problem (on Tomcat;
 * Jetty in {@link MemFdWebMvcJettyServerTimeoutTests}).
 */
@SpringBootTest(classes = MvcApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "memfd.web.upload-idle-timeout=30s",
                "server.tomcat.connection-timeout=2s", "server.jetty.connection-idle-timeout=2s" })
class MemFdWebMvcServerTimeoutTests {

    @LocalServerPort
    private int port;

    @Autowired
    private MemFdFactory factory;

    @Test
    void theServersReadTimeoutEndsASilentUploadWithA408Problem() throws Exception {
        try (Socket socket = new RawHttp(this.port).open()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head("POST", "/files/cut-short", 1_000_000));
            out.write(new byte[100_000]);
            out.flush();
            RawHttp.Response dropped = RawHttp.Response.read(socket.getInputStream(), false);
            assertThat(dropped.status()).as(dropped.toString()).isEqualTo(408);
            assertThat(dropped.header("Content-Type")).hasValue("application/problem+json");
            assertThat(dropped.json().read("$.detail", String.class))
                .contains("'cut-short' arrived within the server's read timeout after 100000 bytes");
        }
        assertThat(OpenFds.memfdsNamed("cut-short")).isZero();
        assertThat(this.factory.registry().count()).isZero();
    }
}
