package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.MemFdFactory;
import io.memfd.spring.web.RawHttp;
import io.memfd.testing.OpenFds;

/**
 * An upload whose client falls silent for good: whichever timeout ends it, memfd.web.upload-idle-timeout or the
 * server's own read timeout, the answer is the 408 problem saying which, and no memfd is left. Each subclass sets the
 * two timeouts.
 */
abstract class AbstractSilentUploadTests {

    @LocalServerPort
    private int port;

    @Autowired
    private MemFdFactory factory;

    private final String name;

    private final String detail;

    /** @param detail what the problem's detail says of the timeout that ended the upload */
    AbstractSilentUploadTests(String name, String detail) {
        this.name = name;
        this.detail = detail;
    }

    @Test
    void aClientSilentForGoodGetsA408Problem() throws Exception {
        try (Socket socket = new RawHttp(this.port).open()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head("POST", "/files/" + this.name, 1_000_000));
            out.write(new byte[100_000]);
            out.flush();
            RawHttp.Response dropped = RawHttp.Response.read(socket.getInputStream(), false);
            assertThat(dropped.status()).as(dropped.toString()).isEqualTo(408);
            assertThat(dropped.header("Content-Type")).hasValue("application/problem+json");
            assertThat(dropped.json().read("$.detail", String.class)).contains(this.detail);
        }
        assertThat(OpenFds.memfdsNamed(this.name)).isZero();
        assertThat(this.factory.registry().count()).isZero();
    }
}
