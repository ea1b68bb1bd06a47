package io.memfd.spring.autoconfigure.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;

import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.testing.FailureAnalysisReport;

import static io.memfd.spring.testing.FailureAnalysisReport.origin;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code memfd.web.*} values validate when they are bound, as the other memfd properties do: a timeout that is not
 * positive fails start-up with a report that names the property, not an exception from the bean that uses it.
 */
class MemFdWebPropertiesValidationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class));

    @Test
    void aPositiveUploadIdleTimeoutBinds() {
        this.runner.withPropertyValues("memfd.web.upload-idle-timeout=250ms")
            .run((context) -> assertThat(context.getBean(MemFdWebProperties.class).getUploadIdleTimeout())
                .isEqualTo(Duration.ofMillis(250)));
    }

    @Test
    void anUploadIdleTimeoutThatIsNotPositiveIsReportedByName() {
        for (String timeout : new String[] { "0s", "-1s" }) {
            FailureAnalysisReport.assertStartupFails(this.runner,
                    (analysis) -> assertThat(analysis.getDescription()).as(timeout)
                        .contains(origin("memfd.web.upload-idle-timeout"), "must be a positive duration"),
                    "memfd.web.upload-idle-timeout=" + timeout);
        }
    }

    /** A nested property: Spring Boot's report names it (in its Java form) without the origin. */
    @Test
    void aServingIdleTimeoutThatIsNotPositiveIsReportedByName() {
        for (String timeout : new String[] { "0s", "-1s" }) {
            FailureAnalysisReport.assertStartupFails(this.runner,
                    (analysis) -> assertThat(analysis.getDescription()).as(timeout)
                        .contains("memfd.web.serving.idleTimeout", "must be a positive duration"),
                    "memfd.web.serving.idle-timeout=" + timeout);
        }
    }

    @Test
    void theServingIdleTimeoutBindsAndIsAMinuteByDefault() {
        this.runner.run((context) -> assertThat(context.getBean(MemFdWebProperties.class).getServing()
            .getIdleTimeout()).isEqualTo(Duration.ofSeconds(60)));
        this.runner.withPropertyValues("memfd.web.serving.idle-timeout=5s")
            .run((context) -> assertThat(context.getBean(MemFdWebProperties.class).getServing().getIdleTimeout())
                .isEqualTo(Duration.ofSeconds(5)));
    }

    @Test
    void theUploadMinimumRateIsAKilobytePerSecondByDefaultAndZeroTurnsItOff() {
        this.runner.run((context) -> assertThat(context.getBean(MemFdWebProperties.class).getUploadMinimumRate())
            .isEqualTo(DataSize.ofKilobytes(1)));
        this.runner.withPropertyValues("memfd.web.upload-minimum-rate=0")
            .run((context) -> assertThat(context.getBean(MemFdWebProperties.class).getUploadMinimumRate())
                .isEqualTo(DataSize.ofBytes(0)));
    }

    @Test
    void aNegativeUploadMinimumRateIsReportedByName() {
        FailureAnalysisReport.assertStartupFails(this.runner,
                (analysis) -> assertThat(analysis.getDescription())
                    .contains(origin("memfd.web.upload-minimum-rate"), "must be zero or more bytes per second"),
                "memfd.web.upload-minimum-rate=-1B");
    }

    @Test
    void theServingMinimumRateIsAKilobytePerSecondByDefaultAndANegativeOneIsReportedByName() {
        this.runner.run((context) -> assertThat(context.getBean(MemFdWebProperties.class).getServing()
            .getMinimumRate()).isEqualTo(DataSize.ofKilobytes(1)));
        FailureAnalysisReport.assertStartupFails(this.runner,
                (analysis) -> assertThat(analysis.getDescription())
                    .contains("memfd.web.serving.minimumRate", "must be zero or more bytes per second"),
                "memfd.web.serving.minimum-rate=-1B");
    }
}
