package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.memfd.MemFd;
import io.memfd.testing.ChildJvm;
import io.memfd.testing.PythonPeer;
import io.memfd.testing.TestLibc;

/**
 * A blob handed over by another process: {@code send_memfd.py}, the sender README shows, run by Python (whose socket
 * code nobody here wrote), sends a sealed memfd to the running app's Unix socket; the blob is then served over HTTP
 * byte for byte, and it is the sender's own memfd, not a copy.
 */
class IpcHandoffTests extends AbstractBlobAppTests {

    private static final Path SENDER = Path.of("send_memfd.py");

    @TempDir
    private Path directory;

    @BeforeAll
    static void python() throws Exception {
        PythonPeer.assumeAvailable();
    }

    @Test
    void aSealedMemfdFromPythonIsStoredWithoutCopyingAndServedOverHttp() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        Path file = Files.write(this.directory.resolve("frames.bin"), content);

        DocumentContext record = JsonPath.parse(send(file, "frames.bin"));

        long id = record.read("$.id", Long.class);
        assertThat(record.read("$.name", String.class)).isEqualTo("frames.bin");
        assertThat(record.read("$.size", Long.class)).isEqualTo(content.length);
        assertThat(record.read("$.sha256", String.class)).isEqualTo(sha256(content));
        assertThat(record.read("$.seals", List.class)).contains("WRITE", "SHRINK", "GROW", "SEAL");
        // The app names its own memfds blob/NAME; this one kept the name Python gave it: it is Python's memfd.
        MemFd memfd = this.factory.registry().find(id).orElseThrow();
        assertThat(memfd.name()).isEqualTo("frames.bin");

        HttpResponse<byte[]> download = this.http.get("/blobs/" + id);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(content);
        assertThat(download.headers().firstValue("ETag")).hasValue("\"" + sha256(content) + "\"");
        assertThat(BlobHttp.json(this.http.get("/blobs")).read("$[*].id", List.class)).contains((int) id);
    }

    @Test
    void aMemfdWithoutTheRequiredSealsIsRefusedAndLeavesNothingBehind() throws Exception {
        // A shrinkable memfd: the server refuses it before the store ever sees it.
        String script = String.join("\n",
                "import os, socket, sys",
                "fd = os.memfd_create('unsealed', os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)",
                "os.write(fd, b'changeable')",
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])",
                "socket.send_fds(s, [b'\\x01{\"name\": \"unsealed\"}'], [fd])",
                "print(s.recv(65537)[1:].decode().split('\\n')[0])");
        assertThat(python("-c", script, socket())).isEqualTo("MISSING_SEALS");
        assertThat(this.store.list()).isEmpty();
        assertThat(this.factory.registry().count()).isZero();
    }

    @Test
    void aHeaderWithoutANameIsAnsweredWithAnErrorAndTheMemfdIsClosed() throws Exception {
        Path file = Files.write(this.directory.resolve("x.bin"), new byte[] {1, 2, 3});
        String script = new String(Files.readAllBytes(SENDER), StandardCharsets.UTF_8)
            .replace("json.dumps({\"name\": name})", "json.dumps({\"title\": name})");

        String reply = python("-c", script, file.toString(), "nameless", socket());

        assertThat(JsonPath.parse(reply).read("$.error", String.class)).contains("non-blank name");
        assertThat(this.store.list()).isEmpty();
        assertThat(this.factory.registry().count()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"two\\nlines\"", "\"nul\\u0000\"", "\"escape\\u001b[2J\""})
    void aNameWithAControlCharacterIsAnsweredWithAnErrorAndTheMemfdIsClosed(String jsonName) throws Exception {
        assertRefusedName(jsonName, "control character");
    }

    @Test
    void aNameLongerThanAMemfdNameIsAnsweredWithAnErrorAndTheMemfdIsClosed() throws Exception {
        assertRefusedName("\"" + "n".repeat(64 * 1024 - 100) + "\"", "at most 249 bytes");
    }

    @Test
    void theSenderSendsNothingToAProcessOfAnotherUser() throws Exception {
        assumeTrue(TestLibc.effectiveUid() == 0, "only root can start a peer that runs as another user");
        // Whoever binds a path first owns it: in a directory others may write to, another user can stand in for the
        // app while it is down.
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "memfd-handoff-");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = shared.resolve("impostor.sock");
        Path file = Files.write(this.directory.resolve("secret.bin"), new byte[] {1, 2, 3});
        try (PythonPeer impostor = PythonPeer.start("impostor", socket.toString())) {
            assertThat(impostor.readLine()).isEqualTo("ready");

            ChildJvm.Result sender = ChildJvm.run(List.of("python3", SENDER.toString(), file.toString(), "secret.bin",
                    socket.toString()));

            assertThat(impostor.finish()).containsExactly("received 0 bytes and 0 descriptors");
            assertThat(sender.exitCode()).as(sender.output()).isNotZero();
            assertThat(sender.output()).contains("runs as uid 65534").contains("nothing was sent");
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(shared);
        }
    }

    /** Sends a sealed memfd with the JSON header {"name": jsonName}; the reply is an error and nothing is kept. */
    private void assertRefusedName(String jsonName, String reason) throws Exception {
        Path file = Files.write(this.directory.resolve("x.bin"), new byte[] {1, 2, 3});
        String script = new String(Files.readAllBytes(SENDER), StandardCharsets.UTF_8)
            .replace("json.dumps({\"name\": name})", "('{\"name\": ' + name + '}')")
            .replace("os.memfd_create(name,", "os.memfd_create('refused',");

        String reply = python("-c", script, file.toString(), jsonName, socket());

        assertThat(JsonPath.parse(reply).read("$.error", String.class)).contains(reason);
        assertThat(this.store.list()).isEmpty();
        assertThat(this.factory.registry().count()).isZero();
    }

    private String send(Path file, String name) throws Exception {
        return python(SENDER.toString(), file.toString(), name, socket());
    }

    /** Runs python3 with {@code arguments} and returns the one line it printed. */
    private static String python(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(arguments));
        ChildJvm.Result python = ChildJvm.run(command);
        assertThat(python.exitCode()).as(python.output()).isZero();
        return python.output().trim();
    }
}
