package io.memfd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM in which JNA finds nowhere to extract its native stub, as in a container with a read-only root file
 * system: {@code user.home} and {@code java.io.tmpdir} lie under a regular file, so that no directory can be made there
 * (not even by root), and {@code XDG_CACHE_HOME}, which JNA would prefer to {@code user.home}, is unset.
 */
public final class UnloadableJna {

    private UnloadableJna() {
    }

    /** JVM options with the unusable directories, made under {@code temp}; native access stays enabled. */
    public static List<String> jvmOptions(Path temp) throws IOException {
        Path file = Files.writeString(temp.resolve("not-a-directory"), "");
        return List.of("--enable-native-access=ALL-UNNAMED", "-Duser.home=" + file.resolve("home"),
                "-Djava.io.tmpdir=" + file.resolve("tmp"));
    }

    /** The temporary directory that {@link #jvmOptions} gives, which JNA reports as missing. */
    public static String tmpdir(Path temp) {
        return temp.resolve("not-a-directory").resolve("tmp").toString();
    }

    /** {@code command} without {@code XDG_CACHE_HOME} in its environment. */
    public static List<String> withoutXdgCache(List<String> command) {
        List<String> all = new ArrayList<>(List.of("env", "-u", "XDG_CACHE_HOME"));
        all.addAll(command);
        return all;
    }
}
