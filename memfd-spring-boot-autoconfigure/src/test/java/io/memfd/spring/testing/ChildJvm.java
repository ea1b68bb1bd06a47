package io.memfd.spring.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class in a new JVM with this JVM's java and class path, and collects what it prints. */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** The child's exit code and its interleaved standard output and error. */
    public record Result(int exitCode, String output) {
    }

    public static Result run(Class<?> mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // Reading to the end means the child closed its output; a hang guard only, not a timing assertion.
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("The child JVM did not exit; it printed:\n" + output);
        }
        return new Result(process.exitValue(), output);
    }
}
