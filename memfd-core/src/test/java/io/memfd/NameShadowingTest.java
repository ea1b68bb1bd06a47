package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.memfd.testing.TestLibc;

/**
 * A memfd adopted from another process keeps the name its sender gave it, and a sender may choose any name. Looking a
 * name up must never find such a buffer instead of the application's own: a peer would take the name over.
 */
class NameShadowingTest {

    private static final int MFD_ALLOW_SEALING = 2;

    @Test
    void aPeersBufferNeverShadowsTheApplicationsOwnNorStandsInForIt() {
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFd own = factory.createSealed("app/config.json", bytes("{\"admin\":false}"))) {
            try (MemFd peers = factory.adopt(peerMemfd("app/config.json", "{\"admin\":true}"), Set.of(Seal.SHRINK))) {
                assertThat(peers.name()).isEqualTo("app/config.json");
                assertThat(factory.registry().find("app/config.json")).containsSame(own);

                own.close();
                assertThat(factory.registry().find("app/config.json")).isEmpty();
                assertThat(factory.registry().find(peers.info().id())).containsSame(peers);
            }
        }
    }

    /** A sealed memfd as another process would send it: made outside this library, named as it likes. */
    private static int peerMemfd(String name, String content) {
        int fd = TestLibc.memfd_create(name, MFD_ALLOW_SEALING);
        byte[] bytes = bytes(content);
        TestLibc.write(fd, bytes, bytes.length);
        TestLibc.fcntl(fd, TestLibc.F_ADD_SEALS, TestLibc.F_SEAL_SHRINK | TestLibc.F_SEAL_GROW);
        return fd;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
