package io.memfd.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code peer.py}, a peer of the memfd IPC wire format written with Python's standard library, as a child
 * process. The script is fed to {@code python3} on its standard input, so that it runs from this test-jar as well as
 * from a directory of classes.
 */
public final class PythonPeer implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 60;

    private final Process process;
    private final BufferedReader output;

    private PythonPeer(Process process) {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code peer.py} with {@code arguments}; its stderr goes to the test's. */
    public static PythonPeer start(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", "-"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (InputStream script = PythonPeer.class.getResourceAsStream("peer.py");
                OutputStream stdin = process.getOutputStream()) {
            script.transferTo(stdin);
        }
        return new PythonPeer(process);
    }

    /** Runs {@code peer.py} to the end and returns the lines it printed; fails the test if it failed. */
    public static List<String> run(String... arguments) throws Exception {
        try (PythonPeer peer = start(arguments)) {
            return peer.finish();
        }
    }

    /** Skips the test where there is no {@code python3} of at least 3.9 ({@code socket.send_fds}). */
    public static void assumeAvailable() throws Exception {
        Process probe;
        try {
            probe = new ProcessBuilder("python3", "-c", "import socket, os; socket.send_fds; os.memfd_create")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "python3 is not installed: " + e.getMessage());
            return;
        }
        probe.getOutputStream().close();
        probe.getInputStream().readAllBytes();
        probe.getInputStream().close();
        assumeTrue(probe.waitFor() == 0, "python3 lacks socket.send_fds or os.memfd_create (needs Python 3.9+)");
    }

    /** The next line the peer prints. */
    public String readLine() throws IOException {
        String line = output.readLine();
        assertThat(line).as("a line from peer.py").isNotNull();
        return line;
    }

    /** Waits for the peer to end, and returns what it printed since the last {@link #readLine()}. */
    public List<String> finish() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            lines.add(line);
        }
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("peer.py ended").isTrue();
        assertThat(process.exitValue()).as("peer.py's exit status; it printed %s", lines).isZero();
        return lines;
    }

    /** Ends the peer if it still runs, closes the pipe from it and waits for it to be gone. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroyForcibly();
        output.close();
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("peer.py ended").isTrue();
    }
}
