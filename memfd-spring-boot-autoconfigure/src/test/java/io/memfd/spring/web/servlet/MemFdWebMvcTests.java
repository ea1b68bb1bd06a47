package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import io.memfd.MemFd;
import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.web.RawHttp;
import io.memfd.spring.web.ServerCost;
import io.memfd.testing.OpenFds;
import io.memfd.testing.Trickle;

/**
 * A {@link MemFdResource} returned from ordinary Spring MVC controllers on Tomcat, over real HTTP: the bytes, Spring's
 * headers, ranges, HEAD, 304; uploads past the limits answered 413 and 507 with nothing left behind; and what sending
 * costs against the same bytes from a {@code /dev/shm} file.
 */
@SpringBootTest(classes = MvcApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "memfd.max-size=" + MemFdWebMvcTests.MAX,
                "memfd.max-total-size=" + 3 * MemFdWebMvcTests.MAX,
                "memfd.web.upload-idle-timeout=1s" })
class MemFdWebMvcTests extends AbstractMvcServingTests {

    static final int MAX = 2 << 20;

    MemFdWebMvcTests() {
        super(MAX);
    }
    /**
     * The kernel counts every write-type system call ({@code syscw}): 8 MiB from the memfd take no more than from a
     * {@code /dev/shm} file (Tomcat writes both through its 8 KiB socket buffer), and the heap the server's threads
     * allocate is a small fraction of the size (a direct buffer handed to Tomcat's {@code write(ByteBuffer)} made it
     * copy all 8 MiB into the heap).
     */
    @Test
    void sendingCostsNoMoreThanAShmFileAndNoHeapCopy() throws Exception {
        int size = 8 << 20;
        byte[] big = RawHttp.random(size);
        try (MemFd memfd = MemFd.create("big.bin")) {
            memfd.write(0, big);
            memfd.makeImmutable();
            this.files.byName.put("big.bin", new MemFdResource(memfd.dup()));
            assertThat(this.http.get("/files/big.bin").body()).isEqualTo(big);
            assertThat(this.http.get("/shm/big.bin").body()).isEqualTo(big);

            ServerCost before = ServerCost.now("-exec-");
            RawHttp.Response memfdResponse = this.http.get("/files/big.bin");
            ServerCost memfdCost = ServerCost.now("-exec-").since(before);
            before = ServerCost.now("-exec-");
            RawHttp.Response fileResponse = this.http.get("/shm/big.bin");
            ServerCost fileCost = ServerCost.now("-exec-").since(before);

            assertThat(memfdResponse.body()).isEqualTo(big);
            assertThat(fileResponse.body()).isEqualTo(big);
            assertThat(memfdCost.writeCalls()).as("write calls for the memfd (%s), for the /dev/shm file (%s)",
                    memfdCost, fileCost).isLessThanOrEqualTo(fileCost.writeCalls() + fileCost.writeCalls() / 10);
            assertThat(memfdCost.allocatedBytes()).as("heap allocated by the server's threads").isLessThan(size / 16);
        }
    }

    @Test
    void anUploadUnderANameNoMemfdMayHaveIs400AndLeavesNoMemfd() throws Exception {
        String name = "x".repeat(300);
        RawHttp.Response refused = this.http.post("/files/" + name, new byte[10]);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.json().read("$.detail", String.class)).contains("Invalid memfd name");
        assertThat(OpenFds.memfdsNamed(name.substring(0, 249))).isZero();
    }

    @Test
    void anUploadPastTheBudgetIs507AndLeavesNoMemfd() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertThat(this.http.post("/files/full-" + i, new byte[MAX]).status()).isEqualTo(201);
        }

        RawHttp.Response refused = this.http.post("/files/one-too-many", new byte[MAX]);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(507);
        assertThat(refused.header("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.json().read("$.detail", String.class)).contains("memfd.max-total-size");
        assertThat(OpenFds.memfdsNamed("one-too-many")).isZero();
        assertThat(this.factory.registry().count()).isEqualTo(3);
    }

    /**
     * A client that stops sending mid-body: its memfd is closed (memory and budget back) after
     * memfd.web.upload-idle-timeout, not before, while Tomcat's thread still waits in its read; the next bytes wake
     * that thread, and the upload is answered 408.
     */
    @Test
    void aStalledUploadLosesItsMemfdAfterTheIdleTimeout() throws Exception {
        long usedBefore = this.factory.registry().usedBytes();
        try (Socket socket = this.http.open()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head("POST", "/files/stalled", MAX));
            out.write(new byte[100_000]);
            out.flush();
            Trickle trickle = new Trickle(out);
            try (trickle) {
                awaitTrue(() -> this.factory.registry().usedBytes() >= usedBefore + 100_000,
                        "the first bytes stored");
                assertThat(OpenFds.memfdsNamed("stalled")).isEqualTo(1);
            }
            awaitTrue(() -> OpenFds.memfdsNamed("stalled") == 0, "the memfd closed");

            assertThat(System.nanoTime() - trickle.lastByteSentAt()).as("closed after the idle timeout, not before")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
            assertThat(this.factory.registry().usedBytes()).as("budget given back").isEqualTo(usedBefore);
            out.write(new byte[1000]);
            out.flush();
            RawHttp.Response dropped = RawHttp.Response.read(socket.getInputStream(), false);
            assertThat(dropped.status()).as(dropped.toString()).isEqualTo(408);
            assertThat(dropped.json().read("$.detail", String.class)).contains("memfd.web.upload-idle-timeout");
        }
    }

    /**
     * A client that sends a byte every 100 ms is never idle, but averages far below memfd.web.upload-minimum-rate
     * (1 KB/s by default): its upload is dropped once it has run for the idle timeout, answered 408.
     */
    @Test
    void aTricklingUploadIsDroppedBelowTheMinimumRate() throws Exception {
        try (Socket socket = this.http.open()) {
            RawHttp.Trickled trickled = RawHttp.trickleUntilAnswered(socket,
                    RawHttp.head("POST", "/files/trickling", MAX));
            RawHttp.Response dropped = trickled.answer();

            assertThat(trickled.afterNanos()).as("not before the idle timeout")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
            assertThat(dropped.status()).as(dropped.toString()).isEqualTo(408);
            assertThat(dropped.json().read("$.detail", String.class)).contains("memfd.web.upload-minimum-rate");
        }
        assertThat(OpenFds.memfdsNamed("trickling")).isZero();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 20 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
