package io.memfd.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import io.memfd.BudgetExceededException;
import io.memfd.KernelFeatures;
import io.memfd.MemFd;
import io.memfd.MemFdFactory;

/** An application on a real port: metrics, health and the memfd endpoint read over HTTP, against buffers made here. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=health,metrics,memfd",
        "management.endpoint.health.show-details=always" })
class MemFdActuatorHttpTests {

    /** What the budget charges for a buffer of up to one page: the page and about 1 KiB for its file. */
    private static final long ONE_PAGE = 4096 + 1024;

    /** Four buffers of one page each fill it. */
    private static final long BUDGET = 4 * ONE_PAGE;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private MemFdFactory factory;

    @Test
    void metricsCountTheBuffersByState() throws Exception {
        try (MemFd page = factory.createSealed("static/index.html", new byte[300]);
                MemFd scratch = factory.create("scratch")) {
            scratch.resize(100);

            DocumentContext count = get("/actuator/metrics/memfd.buffer.count", 200);
            assertThat(count.read("$.measurements[0].value", Double.class)).isEqualTo(2.0);
            assertThat(count.read("$.baseUnit", String.class)).isEqualTo("buffers");
            assertThat(count.read("$.availableTags[0].tag", String.class)).isEqualTo("state");
            assertThat(count.read("$.availableTags[0].values", List.class)).containsExactlyInAnyOrder("sealed",
                    "unsealed");
            assertThat(get("/actuator/metrics/memfd.buffer.count?tag=state:sealed", 200)
                    .read("$.measurements[0].value", Double.class)).isEqualTo(1.0);
            assertThat(get("/actuator/metrics/memfd.buffer.memory.used", 200)
                    .read("$.measurements[0].value", Double.class)).isEqualTo(2.0 * ONE_PAGE);
            assertThat(get("/actuator/metrics/memfd.buffer.memory.used?tag=state:unsealed", 200)
                    .read("$.measurements[0].value", Double.class)).isEqualTo(ONE_PAGE);
            assertThat(get("/actuator/metrics/memfd.buffer.memory.limit", 200)
                    .read("$.measurements[0].value", Double.class)).isEqualTo(BUDGET);
        }
    }

    @Test
    void healthShowsTheBuffersTheBudgetAndTheKernel() throws Exception {
        KernelFeatures features = KernelFeatures.detect();
        try (MemFd page = factory.createSealed("page", new byte[250])) {
            DocumentContext health = get("/actuator/health", 200);

            assertThat(health.read("$.status", String.class)).isEqualTo("UP");
            assertThat(health.read("$.components.memfd.status", String.class)).isEqualTo("UP");
            assertThat(health.read("$.components.memfd.details.count", Integer.class)).isEqualTo(1);
            assertThat(health.read("$.components.memfd.details.usedBytes", Long.class)).isEqualTo(ONE_PAGE);
            assertThat(health.read("$.components.memfd.details.maxTotalSize", Long.class)).isEqualTo(BUDGET);
            assertThat(health.read("$.components.memfd.details.budgetUsage", Double.class)).isEqualTo(0.25);
            assertThat(health.read("$.components.memfd.details.warningThreshold", Double.class)).isEqualTo(0.9);
            assertThat(health.read("$.components.memfd.details.kernel.noexecSeal", Boolean.class))
                    .isEqualTo(features.noexecSeal());
            assertThat(health.read("$.components.memfd.details.kernel.futureWriteSeal", Boolean.class))
                    .isEqualTo(features.futureWriteSeal());
            assertThat(health.read("$.components.memfd.details.kernel.hugePageSizes", List.class))
                    .hasSize(features.hugePageSizes().size());
            assertThat(health.read("$.components.memfd.details.kernel.nativeBackend", String.class))
                    .isEqualTo(features.nativeBackend()).isIn("ffm", "jna");
        }
    }

    @Test
    void aWarningShowsInTheComponentWithoutFailingTheApplicationEvenWhenTheBudgetIsExhausted() throws Exception {
        // Were a full budget DOWN, any client allowed to upload could take the instance out of its load balancer.
        // Three pages and a file, and one page and a file: 0.9 of the budget.
        try (MemFd big = factory.createSealed("big", new byte[3 * 4096]);
                MemFd small = factory.createSealed("small", new byte[1])) {
            DocumentContext health = get("/actuator/health", 200);
            assertThat(health.read("$.status", String.class)).isEqualTo("UP");
            assertThat(health.read("$.components.memfd.status", String.class)).isEqualTo("WARNING");
            assertThat(get("/actuator/health/memfd", 200).read("$.status", String.class)).isEqualTo("WARNING");
        }
        try (MemFd a = factory.createSealed("a", new byte[1]); MemFd b = factory.createSealed("b", new byte[1]);
                MemFd c = factory.createSealed("c", new byte[1]); MemFd d = factory.createSealed("d", new byte[1])) {
            assertThatExceptionOfType(BudgetExceededException.class)
                    .isThrownBy(() -> factory.createSealed("e", new byte[1]).close());
            DocumentContext health = get("/actuator/health", 200);
            assertThat(health.read("$.status", String.class)).isEqualTo("UP");
            assertThat(health.read("$.components.memfd.status", String.class)).isEqualTo("WARNING");
            assertThat(health.read("$.components.memfd.details.budgetUsage", Double.class)).isEqualTo(1.0);
        }
        assertThat(get("/actuator/health/memfd", 200).read("$.status", String.class)).isEqualTo("UP");
    }

    @Test
    void endpointListsTheBuffersAndShowsOneByName() throws Exception {
        try (MemFd page = factory.createSealed("static/index.html", new byte[300]);
                MemFd scratch = factory.create("scratch")) {
            scratch.resize(100);

            DocumentContext all = get("/actuator/memfd", 200);
            assertThat(all.read("$.count", Integer.class)).isEqualTo(2);
            assertThat(all.read("$.usedBytes", Long.class)).isEqualTo(2 * ONE_PAGE);
            assertThat(all.read("$.maxTotalSize", Long.class)).isEqualTo(BUDGET);
            assertThat(all.read("$.buffers[*].name", List.class)).containsExactly("static/index.html", "scratch");
            assertBuffer(all, "$.buffers[0]", page, 300, true);
            assertBuffer(all, "$.buffers[1]", scratch, 100, false);

            assertBuffer(get("/actuator/memfd/static/index.html", 200), "$", page, 300, true);
            assertThat(status("/actuator/memfd/unknown")).isEqualTo(404);
            assertThat(status("/actuator/memfd", "DELETE")).isEqualTo(405);
        }
    }

    private static void assertBuffer(DocumentContext json, String path, MemFd memfd, long size, boolean sealed) {
        assertThat(json.read(path + ".name", String.class)).isEqualTo(memfd.name());
        assertThat(json.read(path + ".id", Long.class)).isEqualTo(memfd.info().id());
        assertThat(json.read(path + ".fd", Integer.class)).isEqualTo(memfd.rawFd());
        assertThat(json.read(path + ".size", Long.class)).isEqualTo(size);
        assertThat(json.read(path + ".seals", List.class))
                .isEqualTo(memfd.seals().stream().map(Enum::name).toList());
        assertThat(json.read(path + ".sealed", Boolean.class)).isEqualTo(sealed);
        assertThat(Instant.parse(json.read(path + ".createdAt", String.class))).isEqualTo(memfd.info().createdAt());
        assertThat(Duration.parse(json.read(path + ".age", String.class))).isGreaterThanOrEqualTo(Duration.ZERO);
        // No /proc/PID/fd/N path: by the time a reader opened it, the number could name another file.
        assertThat(json.read(path, Map.class)).doesNotContainKey("procPath");
    }

    private DocumentContext get(String path, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> response = send(path, "GET");
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(expectedStatus);
        return JsonPath.parse(response.body());
    }

    private int status(String path) throws IOException, InterruptedException {
        return status(path, "GET");
    }

    private int status(String path, String method) throws IOException, InterruptedException {
        return send(path, method).statusCode();
    }

    private HttpResponse<String> send(String path, String method) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {

        /** The application's own factory wins over the auto-configured one; its budget makes WARNING. */
        @Bean(destroyMethod = "close")
        MemFdFactory memFdFactory() {
            return MemFdFactory.builder().maxTotalSize(BUDGET).build();
        }
    }
}
