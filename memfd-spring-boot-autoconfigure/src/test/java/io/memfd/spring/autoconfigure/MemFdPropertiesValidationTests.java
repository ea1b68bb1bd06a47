package io.memfd.spring.autoconfigure;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.memfd.HugePageSize;
import io.memfd.spring.testing.FailureAnalysisReport;

import static io.memfd.spring.testing.FailureAnalysisReport.origin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Invalid {@code memfd.*} values fail start-up, and the failure analysis Spring Boot prints names the property, the
 * value and the reason.
 */
class MemFdPropertiesValidationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class));

    @Test
    void enabledThatIsNoBoolean() {
        // Read by the condition, before the properties are bound: a failure all the same, naming the property.
        assertStartupFails("memfd.enabled=maybe", (analysis) -> assertThat(analysis.getDescription())
            .contains("memfd.enabled", "maybe", "java.lang.Boolean"));
    }

    @Test
    void negativeMaxSize() {
        assertStartupFails("memfd.max-size=-1MB", (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.max-size"), "Value: \"-1048576B\"", "Reason: must be a positive size"));
    }

    @Test
    void zeroMaxTotalSize() {
        assertStartupFails("memfd.max-total-size=0", (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.max-total-size"), "must be a positive size"));
    }

    @Test
    void unknownSealNameListsTheValidOnesAsTheyAreWritten() {
        assertStartupFails("memfd.default-seals=write,wrte", (analysis) -> {
            assertThat(analysis.getDescription()).contains(origin("memfd.default-seals"), "Value: \"write,wrte\"",
                    "'wrte' is not a seal");
            // As YAML and the IDE's completion write them, not as the Java constants are named.
            assertThat(analysis.getAction()).contains("seal, shrink, grow, write, future-write, exec")
                .doesNotContain("FUTURE_WRITE");
        });
    }

    @Test
    void emptyDefaultSeals() {
        assertStartupFails("memfd.default-seals=", (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.default-seals"), "must name at least one seal"));
    }

    @Test
    void sizeThatIsNoHugePageSize() {
        assertStartupFails("memfd.huge-pages=3MB", (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.huge-pages"), "Value: \"3MB\"", "Reason: not a huge page size", "2MB", "1GB"));
    }

    @Test
    void hugePagesThatAreNotASize() {
        assertStartupFails("memfd.huge-pages=big", (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.huge-pages"), "must be none or a huge page size such as 2MB or 1GB"));
    }

    @Test
    void hugePageSizeTheKernelDoesNotOffer() {
        // x86_64 offers 2MB and 1GB, never 64KB (an arm64 size): a real kernel's refusal, read from sysfs.
        assumeTrue(!HugePageSize.HUGE_64KB.isOfferedByKernel(), "this kernel offers 64KB huge pages");
        assertStartupFails("memfd.huge-pages=64KB", (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.huge-pages"), "this kernel does not offer 64KB huge pages; it offers "
                    + HugePageSize.offeredByKernel()));
    }

    @Test
    void offeredHugePageSizeAndNoneAreAccepted() {
        HugePageSize offered = HugePageSize.offeredByKernel().stream().findFirst().orElse(null);
        assumeTrue(offered != null, "this kernel offers no huge page size");
        this.runner.withPropertyValues("memfd.huge-pages=" + offered)
            .run((context) -> assertThat(context).hasNotFailed());
        this.runner.withPropertyValues("memfd.huge-pages=NONE").run((context) -> assertThat(context).hasNotFailed());
    }

    @Test
    void hugePagesSetToNullFromCodeMeanNormalPages() {
        MemFdProperties properties = new MemFdProperties();
        properties.setHugePages(null);
        assertThat(properties.getHugePages()).isEqualTo(HugePages.NONE);
        assertThat(properties.getHugePages().pageSize()).isEmpty();
    }

    @Test
    void namePrefixLongerThanTheKernelAllows() {
        assertStartupFails("memfd.name-prefix=" + "x".repeat(250), (analysis) -> assertThat(analysis.getDescription())
            .contains(origin("memfd.name-prefix"), "at most 249 bytes"));
    }

    @Test
    void everyInvalidValueIsReportedAtOnce() {
        assertStartupFails(new String[] { "memfd.max-size=-1B", "memfd.max-total-size=-1B", "memfd.huge-pages=3MB" },
                (analysis) -> assertThat(analysis.getDescription()).contains(origin("memfd.max-size"),
                        origin("memfd.max-total-size"), origin("memfd.huge-pages")));
    }

    private void assertStartupFails(String property, Consumer<FailureAnalysis> analysis) {
        FailureAnalysisReport.assertStartupFails(this.runner, analysis, property);
    }

    private void assertStartupFails(String[] properties, Consumer<FailureAnalysis> analysis) {
        FailureAnalysisReport.assertStartupFails(this.runner, analysis, properties);
    }
}
