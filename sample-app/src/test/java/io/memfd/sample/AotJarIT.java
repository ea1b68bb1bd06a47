package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repackaged jar as a user runs it, {@code java -jar}, here from the code that Spring AOT generated at build time
 * ({@code process-aot}, bound in the pom): it starts from that code, stores and serves a blob, and reports memfd
 * health. No native-access flag is given: the jar's {@code Enable-Native-Access} entry must keep Java 24+ quiet.
 */
class AotJarIT {

    private static final Pattern PORT = Pattern.compile("Netty started on port (\\d+)");

    @TempDir
    Path temp;

    @Test
    void theJarStartsFromItsAotCodeAndServesBlobs() throws Exception {
        Path log = this.temp.resolve("app.log");
        Process app = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Dspring.aot.enabled=true", "-jar", System.getProperty("sample.jar"), "--server.port=0",
                "--memfd.ipc.server.path=" + this.temp.resolve("memfd.sock"), "--spring.main.banner-mode=off")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try {
            BlobHttp http = new BlobHttp(port(app, log));
            byte[] content = "served from AOT-generated code".getBytes();
            DocumentContext record = http.created("aot.txt", content);
            assertThat(http.get("/blobs/" + record.read("$.id", Long.class)).body()).isEqualTo(content);
            DocumentContext health = http.json("/actuator/health");
            assertThat(health.read("$.status", String.class)).isEqualTo("UP");
            assertThat(health.read("$.components.memfd.status", String.class)).isEqualTo("UP");
            assertThat(http.json("/actuator/memfd").read("$.buffers[*].name", List.class))
                .containsExactly("blob/aot.txt");
        } finally {
            app.destroy();
            assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("the app stops on SIGTERM").isTrue();
        }
        assertThat(Files.readString(log)).contains("Starting AOT-processed SampleApplication")
            .doesNotContain("restricted method", "has no native access");
    }

    /** The port the app listens on, from its log, once it has started. */
    private static int port(Process app, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            Matcher started = PORT.matcher(Files.readString(log));
            if (started.find()) {
                return Integer.parseInt(started.group(1));
            }
            assertThat(app.isAlive()).as(Files.readString(log)).isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("the app did not start within 90 s:\n" + Files.readString(log));
    }
}
