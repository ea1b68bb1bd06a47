package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.memfd.testing.Gc;
import io.memfd.testing.OpenFds;

/** A memfd dropped without close() is closed by the Cleaner, counted, and reported. */
class LeakDetectionTest {

    private record Leak(MemFdInfo buffer, Throwable creationSite) {
    }

    @Test
    void droppedMemfdIsClosedCountedAndReportedWithItsLastState() throws Exception {
        List<Leak> leaks = new CopyOnWriteArrayList<>();
        try (MemFdFactory factory = MemFdFactory.builder()
                .leakListener((buffer, site) -> leaks.add(new Leak(buffer, site))).build()) {
            createAndDrop(factory, "dropped-report");

            Gc.awaitCollection(() -> !leaks.isEmpty());

            assertThat(leaks).singleElement().satisfies(leak -> {
                assertThat(leak.buffer().name()).isEqualTo("dropped-report");
                assertThat(leak.buffer().size()).isEqualTo(3);
                assertThat(leak.buffer().seals()).contains(Seal.GROW);
                assertThat(leak.creationSite()).isNull();
            });
            assertThat(OpenFds.memfdsNamed("dropped-report")).isZero();
            assertThat(factory.registry().leakedCount()).isEqualTo(1);
            assertThat(factory.registry().releasedCount()).isZero();
            assertThat(factory.registry().count()).isZero();
            assertThat(factory.registry().usedBytes()).isZero();
        }
    }

    @Test
    void traceModeReportsWhereTheMemfdWasCreated() throws Exception {
        List<Leak> leaks = new CopyOnWriteArrayList<>();
        try (MemFdFactory factory = MemFdFactory.builder().leakDetection(LeakDetection.TRACE)
                .leakListener((buffer, site) -> leaks.add(new Leak(buffer, site))).build()) {
            createAndDrop(factory, "dropped-trace");

            Gc.awaitCollection(() -> !leaks.isEmpty());

            assertThat(leaks.get(0).creationSite().getStackTrace())
                    .anyMatch(frame -> frame.getMethodName().equals("createAndDrop"));
        }
    }

    @Test
    void noneModeClosesAndCountsWithoutReporting() throws Exception {
        List<Leak> leaks = new CopyOnWriteArrayList<>();
        try (MemFdFactory factory = MemFdFactory.builder().leakDetection(LeakDetection.NONE)
                .leakListener((buffer, site) -> leaks.add(new Leak(buffer, site))).build()) {
            createAndDrop(factory, "dropped-quietly");

            Gc.awaitCollection(() -> factory.registry().leakedCount() == 1);

            assertThat(leaks).isEmpty();
            assertThat(OpenFds.memfdsNamed("dropped-quietly")).isZero();
        }
    }

    @Test
    void closedMemfdIsNotALeak() throws Exception {
        List<Leak> leaks = new CopyOnWriteArrayList<>();
        try (MemFdFactory factory = MemFdFactory.builder()
                .leakListener((buffer, site) -> leaks.add(new Leak(buffer, site))).build()) {
            factory.create("closed-properly").close();
            createAndDrop(factory, "sentinel");

            // Once the sentinel's leak is reported, the closed memfd has long been collected too.
            Gc.awaitCollection(() -> !leaks.isEmpty());

            assertThat(leaks).extracting(leak -> leak.buffer().name()).containsExactly("sentinel");
            assertThat(factory.registry().releasedCount()).isEqualTo(1);
        }
    }

    @Test
    void droppedStandaloneMemfdIsClosedToo() throws Exception {
        createAndDrop(null, "dropped-standalone");

        Gc.awaitCollection(() -> OpenFds.memfdsNamed("dropped-standalone") == 0);
    }

    /** Not inlined, so that no local variable keeps the memfd reachable. */
    private static void createAndDrop(MemFdFactory factory, String name) {
        MemFd memfd = factory == null ? MemFd.create(name) : factory.create(name);
        memfd.write(0, new byte[] {1, 2, 3});
        memfd.addSeal(Seal.GROW);
    }
}
