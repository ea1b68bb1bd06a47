package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.MemFdFactory;
import io.memfd.spring.web.RawHttp;
import io.memfd.testing.OpenFds;

/**
 * An upload whose client falls silent for good: whichever timeout ends it, memfd.web.upload-idle-timeout or the
 * server's own read timeout, the answer is the 408 problem saying which, and no memfd is left. Each subclass sets the
 * two timeouts.
 */
@ExtendWith(OutputCaptureExtension.class)
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

    /**
     * A client that falls silent past memfd.web.upload-idle-timeout and then goes away, before the server's read
     * timeout: nobody is left to answer, and that is no server error (any client could fill the log with them).
     */
    @Test
    void aClientThatLeavesAfterItsUploadWasDroppedIsNoServerError(CapturedOutput output) throws Exception {
        try (Socket socket = new RawHttp(this.port).open()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head("POST", "/files/" + this.name, 1_000_000));
            out.write(new byte[100_000]);
            out.flush();
            await().until(() -> this.factory.registry().count() == 1);
            await().until(() -> this.factory.registry().count() == 0);   // dropped at the idle timeout
        }
        // The blocked read ends when the client leaves, at the latest at the server's read timeout (3 s).
        Thread.sleep(4_000);
        assertThat(output).doesNotContain("ERROR").doesNotContain("UploadAbortedException");
        assertThat(OpenFds.memfdsNamed(this.name)).isZero();
    }
}
