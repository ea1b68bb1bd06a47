package io.memfd.modules;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.memfd.MemFd;
import io.memfd.Seal;
import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.MemFdServer;

/**
 * A child JVM's main class that uses memfd-core as an application does, through its exported packages only: it
 * seals a memfd, hands it to a server in this process over a Unix socket and reads the reply. Prints the module
 * memfd-core was loaded as ({@code module=}), what it exports ({@code exports=}), whether this class could reach
 * {@code io.memfd.internal} ({@code internalReadable=}) and the reply ({@code reply=}).
 *
 * <p>Its package is none of memfd-core's, so on the module path it lives on the class path beside the module.
 */
public final class ModuleProbe {

    private ModuleProbe() {
    }

    public static void main(String[] args) throws Exception {
        Module core = MemFd.class.getModule();
        System.out.println("module=" + (core.isNamed() ? core.getName() : "unnamed"));
        System.out.println("exports=" + (core.isNamed() ? core.getDescriptor().exports().stream()
                .map(Object::toString).sorted().toList() : "all"));
        System.out.println("internalReadable=" + core.isExported("io.memfd.internal", ModuleProbe.class.getModule()));

        Path directory = Files.createTempDirectory("memfd-module-probe-");
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock"))
                .handler((request) -> request.buffer().readAllBytes()).build().start();
                MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd memfd = MemFd.create("module-probe")) {
            memfd.append("sealed hello".getBytes(StandardCharsets.UTF_8));
            memfd.addSeals(Seal.SHRINK, Seal.GROW, Seal.WRITE);
            System.out.println("reply=" + new String(client.send(new byte[0], memfd), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(directory.resolve("s.sock"));
            Files.delete(directory);
        }
    }
}
