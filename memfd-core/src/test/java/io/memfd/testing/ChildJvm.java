package io.memfd.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Runs a main class in a fresh JVM with this JVM's class path, for tests that must not disturb this process. */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** The child's exit code and its combined output. */
    public record Result(int exitCode, String output) {

        /** The value of the last line {@code key=value} the child printed, or {@code null}. */
        public String value(String key) {
            String found = null;
            for (String line : output.split("\n")) {
                if (line.startsWith(key + "=")) {
                    found = line.substring(key.length() + 1);
                }
            }
            return found;
        }
    }

    public static Result run(Class<?> mainClass, String... args) throws IOException, InterruptedException {
        return run(command(mainClass, args));
    }

    /** The command line that runs {@code mainClass} in a child JVM, for wrapping in another command. */
    public static List<String> command(Class<?> mainClass, String... args) {
        return command(List.of("--enable-native-access=ALL-UNNAMED"), mainClass, args);
    }

    /** The same, with these JVM options instead of the default (which enables native access). */
    public static List<String> command(List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        // A run with a backend forced (-Dio.memfd.native=jna) forces it in its child JVMs too.
        String backend = System.getProperty("io.memfd.native");
        if (backend != null && !backend.isEmpty()) {
            command.add("-Dio.memfd.native=" + backend);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** {@code java} (this JVM's launcher) with exactly these arguments, for a class or module path of one's own. */
    public static List<String> java(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(arguments));
        return command;
    }

    /** A class or module path of these entries. */
    public static String path(Path... entries) {
        return String.join(File.pathSeparator, Arrays.stream(entries).map(Path::toString).toList());
    }

    /** The first entry of this JVM's class path that is {@code wanted}, made absolute. */
    public static Path classPathEntry(Predicate<Path> wanted) {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of)
                .map(Path::toAbsolutePath).filter(wanted).findFirst()
                .orElseThrow(() -> new IllegalStateException("not on the class path: " + wanted));
    }

    /**
     * Runs {@code command} and waits for it. Its pipes are closed here: left open, the JDK closes them on its own
     * thread once the child has ended, a moment after this returns, in the middle of whatever the test does next.
     */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output;
        try (InputStream out = process.getInputStream()) {
            output = out.readAllBytes();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("child process did not exit: " + command);
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
