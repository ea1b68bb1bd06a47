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

    @Test
    void aPeersBufferNeverShadowsTheApplicationsOwnNorStandsInForIt() {
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFd own = factory.createSealed("app/config.json", bytes("{\"admin\":false}"))) {
            try (MemFd peers = factory.adopt(TestLibc.peerMemfd("app/config.json", bytes("{\"admin\":true}")),
                    Set.of(Seal.SHRINK))) {
                assertThat(peers.name()).isEqualTo("app/config.json");
                assertThat(factory.registry().find("app/config.json")).containsSame(own);

                own.close();
                assertThat(factory.registry().find("app/config.json")).isEmpty();
                assertThat(factory.registry().find(peers.info().id())).containsSame(peers);
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
