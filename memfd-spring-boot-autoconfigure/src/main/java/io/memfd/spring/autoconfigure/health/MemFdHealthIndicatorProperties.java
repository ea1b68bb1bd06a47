package io.memfd.spring.autoconfigure.health;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Settings of the memfd health indicator; {@code management.health.memfd.enabled} switches it off. They validate
 * themselves when they are bound, as the {@code memfd.*} properties do.
 */
@ConfigurationProperties("management.health.memfd")
public class MemFdHealthIndicatorProperties implements Validator {

    /**
     * Share of the memfd budget (the factory's total size limit) or of the maximum count in use, from 0 to 1, from
     * which the memfd health status is WARNING, up to and including the whole budget. Without a budget or a maximum
     * count there is no warning.
     */
    private double warningThreshold = 0.9;

    public double getWarningThreshold() {
        return warningThreshold;
    }

    public void setWarningThreshold(double warningThreshold) {
        this.warningThreshold = warningThreshold;
    }

    @Override
    public boolean supports(Class<?> type) {
        return MemFdHealthIndicatorProperties.class.isAssignableFrom(type);
    }

    /** Called by Spring Boot after binding; the error names its property in the start-up failure report. */
    @Override
    public void validate(Object target, Errors errors) {
        double threshold = ((MemFdHealthIndicatorProperties) target).warningThreshold;
        if (!(threshold >= 0 && threshold <= 1)) {
            errors.rejectValue("warningThreshold", "memfd.outOfRange",
                    "'warningThreshold' must be between 0 and 1, not " + threshold);
        }
    }
}
