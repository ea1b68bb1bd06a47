package io.memfd.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.MemFdFactory;
import io.memfd.spring.io.MemFdResources;
import io.memfd.spring.io.MemFdUploads;
import io.memfd.testing.Gc;

/**
 * The fixture of the tests that serve memfds from a running test application over real HTTP: before each test one
 * sealed file of {@link #SIZE} random bytes under the name the test class gives; after each, every file closed and no
 * memfd left alive or charged to the budget.
 */
public abstract class AbstractServingTests {

    protected static final int SIZE = 300_000;

    @Autowired
    protected TestFiles files;

    @Autowired
    protected MemFdResources resources;

    @Autowired
    protected MemFdFactory factory;

    @Autowired
    protected MemFdUploads uploads;

    protected RawHttp http;

    protected byte[] content;

    @LocalServerPort
    private int port;

    private final String name;

    protected AbstractServingTests(String name) {
        this.name = name;
    }

    @BeforeEach
    void serve() {
        this.http = new RawHttp(this.port);
        this.content = RawHttp.random(SIZE);
        this.files.byName.put(this.name, this.resources.createSealed(this.name, this.content));
    }

    /**
     * The budget comes back once nothing keeps the pages: a response's own descriptor is closed after its last byte
     * went out, a mapping handed to Jetty is unmapped when it is collected.
     */
    @AfterEach
    void closeAll() throws InterruptedException {
        this.files.closeAll();
        assertThat(this.factory.registry().count()).as("live memfds after the test").isZero();
        Gc.awaitCollection(() -> this.factory.registry().usedBytes() == 0);
    }
}
