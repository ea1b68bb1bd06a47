package io.memfd.spring.autoconfigure.health;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.Assert;

/** Settings of the memfd health indicator; {@code management.health.memfd.enabled} switches it off. */
@ConfigurationProperties("management.health.memfd")
public class MemFdHealthIndicatorProperties {

    /**
     * Share of the memfd budget (the factory's total size limit) in use, from 0 to 1, from which the memfd health
     * status is WARNING. At 1 (the whole budget) the status is DOWN instead. Without a budget there is no warning.
     */
    private double warningThreshold = 0.9;

    public double getWarningThreshold() {
        return warningThreshold;
    }

    public void setWarningThreshold(double warningThreshold) {
        Assert.isTrue(warningThreshold >= 0 && warningThreshold <= 1,
                "'warningThreshold' must be between 0 and 1, not " + warningThreshold);
        this.warningThreshold = warningThreshold;
    }
}
