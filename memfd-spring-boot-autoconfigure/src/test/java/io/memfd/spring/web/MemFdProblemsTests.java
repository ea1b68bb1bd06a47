package io.memfd.spring.web;

import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.LastErrorException;
import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;

import io.memfd.BudgetExceededException;
import io.memfd.CountLimitExceededException;
import io.memfd.MemFd;
import io.memfd.MemFdException;
import io.memfd.MemFdFactory;
import io.memfd.testing.ChildJvm;
import io.memfd.testing.TestLibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The problems that a real factory's limits stand for. */
class MemFdProblemsTests {

    @Test
    void tooManyMemfdsIs507NamingTheCountLimitNotTheBytes() {
        try (MemFdFactory factory = MemFdFactory.builder().maxCount(1).maxTotalSize(1 << 20).build();
                MemFd only = factory.create("only")) {
            CountLimitExceededException refused = catchThrowableOfType(CountLimitExceededException.class,
                    () -> factory.create("one-too-many"));
            ProblemDetail problem = MemFdProblems.of(new RuntimeException("wrapped", refused));
            assertThat(problem.getStatus()).isEqualTo(507);
            assertThat(problem.getDetail()).isEqualTo(
                    "Another memfd would pass the 1 memfds that may be open at once (memfd.max-count).");
            assertThat(problem.getProperties()).containsEntry("maxCount", 1).doesNotContainKey("budget");
        }
    }

    /** A closed memfd still being sent holds part of the budget: the problem says how much. */
    @Test
    void tooManyBytesHeldByAClosedMemfdStillBeingSentSaysSo() throws Exception {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(8192).build()) {
            MemFd deleted = factory.createSealed("deleted", new byte[4096]);
            try (FileChannel download = deleted.newFileChannel()) {
                deleted.close();
                BudgetExceededException refused = catchThrowableOfType(BudgetExceededException.class,
                        () -> factory.createSealed("next", new byte[8192]));
                ProblemDetail problem = MemFdProblems.of(refused);
                assertThat(problem.getDetail()).endsWith("are in use, 5120 of them by closed memfds still being sent"
                        + " or mapped.");
                assertThat(problem.getProperties()).containsEntry("heldByClosed", 5120L);
            }
        }
    }

    /** A process out of descriptors: a passing state, answered 503, not a server error. Runs in a child JVM. */
    @Test
    void noDescriptorLeftForAMemfdIs503() throws Exception {
        ChildJvm.Result child = ChildJvm.run(OutOfDescriptors.class);
        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("problem")).as(child.output())
            .isEqualTo("503 No file descriptor is left for another memfd; try again later.");
    }

    /** Fills its descriptor table, fails to create a memfd, and prints the problem that stands for it. */
    public static final class OutOfDescriptors {

        public static void main(String[] args) {
            List<Integer> fillers = new ArrayList<>();
            MemFdException failure;
            try {
                for (;;) {
                    fillers.add(TestLibc.open("/dev/null", TestLibc.O_RDONLY | TestLibc.O_CLOEXEC, 0));
                }
            } catch (LastErrorException full) {
                try (MemFd none = MemFd.create("one too many")) {
                    failure = null;
                } catch (MemFdException e) {
                    failure = e;
                }
            } finally {
                fillers.forEach(TestLibc::close);
            }
            ProblemDetail problem = MemFdProblems.of(failure);
            System.out.println("problem=" + problem.getStatus() + " " + problem.getDetail());
        }
    }

    @Test
    void tooManyBytesIs507NamingTheBudget() {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(8192).build();
                MemFd first = factory.create("first")) {
            first.write(0, new byte[4096]);
            BudgetExceededException refused = catchThrowableOfType(BudgetExceededException.class,
                    () -> factory.createSealed("second", new byte[8192]));
            ProblemDetail problem = MemFdProblems.of(refused);
            assertThat(problem.getStatus()).isEqualTo(507);
            assertThat(problem.getDetail()).contains("memfd.max-total-size");
            assertThat(problem.getProperties()).containsEntry("budget", 8192L).doesNotContainKey("maxCount");
        }
    }
}
