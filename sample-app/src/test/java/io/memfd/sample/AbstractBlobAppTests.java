package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.MemFdFactory;
import io.memfd.sample.blob.BlobStore;
import io.memfd.spring.ipc.MemFdServerLifecycle;

/**
 * The sample app as its tests use it: on a random port, with small limits, an HTTP client, its IPC server on a socket
 * of this test run's own (see application.properties), and no blob or memfd left behind by a test. Every subclass runs
 * in one application: the same configuration makes one cached context, which is why each test must leave it empty.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "memfd.max-size=" + AbstractBlobAppTests.MAX_SIZE + "B",
                "memfd.max-total-size=" + AbstractBlobAppTests.BUDGET + "B" })
abstract class AbstractBlobAppTests {

    static final int MAX_SIZE = 4 << 20;

    /** Room for three blobs of the largest size: each is charged its pages and about 1 KiB for its file. */
    static final int BUDGET = 3 * (MAX_SIZE + 1024);

    @LocalServerPort
    int port;

    @Autowired
    MemFdFactory factory;

    @Autowired
    BlobStore store;

    @Autowired
    private MemFdServerLifecycle ipcServer;

    BlobHttp http;

    @BeforeEach
    void client() {
        this.http = new BlobHttp(this.port);
    }

    @AfterEach
    void deleteAll() {
        this.store.list().forEach(blob -> this.store.delete(blob.id()));
        assertThat(this.factory.registry().count()).as("live memfds after the test").isZero();
    }

    /** The path of the app's IPC socket. */
    String socket() {
        Path path = this.ipcServer.getPath();
        assertThat(path).as("the IPC server's socket").isNotNull();
        return path.toString();
    }

    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
