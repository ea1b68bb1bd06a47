package io.memfd.spring.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The memfds this process has open, by name, as the kernel lists them in {@code /proc/self/fd}. */
public final class OpenMemFds {

    private OpenMemFds() {
    }

    /** The names of every open memfd descriptor, e.g. {@code ["report", "report", "greeting"]}. */
    public static List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile, or the directory stream's own descriptor
                }
                if (target.startsWith("/memfd:")) {
                    names.add(target.substring("/memfd:".length()).replaceFirst(" \\(deleted\\)$", ""));
                }
            }
        }
        return names;
    }
}
