package io.memfd.spring.autoconfigure.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * How memfds are served and received over HTTP ({@code memfd.web.*}), in WebFlux and Spring MVC applications. They
 * validate themselves when they are bound, as the {@code memfd.*} properties do: an idle timeout that is not positive
 * fails start-up with a report that names the property.
 */
@ConfigurationProperties("memfd.web")
public class MemFdWebProperties implements Validator {

    /**
     * Longest wait for the next bytes of an upload streamed into a memfd (a request body, a multipart file, an
     * InputStream given to MemFdResources); past it the upload is dropped with 408 and its memfd closed, so a stalled
     * client cannot hold memory and budget. On Spring MVC the memfd is closed at once, the 408 sent when the
     * container's blocked read returns (more bytes, or its own read timeout).
     */
    private Duration uploadIdleTimeout = Duration.ofSeconds(30);

    /**
     * Lowest speed, in bytes per second on average since it began, at which an upload streamed into a memfd may
     * arrive once it has run for upload-idle-timeout; a slower one is dropped with 408 and its memfd closed, so a
     * client sending a byte now and then cannot hold memory, budget and a place under memfd.max-count for long. A
     * client may pause: only the average counts. 0 for no minimum.
     */
    private DataSize uploadMinimumRate = DataSize.ofKilobytes(1);

    private final Serving serving = new Serving();

    private final ProblemDetails problemDetails = new ProblemDetails();

    private final Multipart multipart = new Multipart();

    public Duration getUploadIdleTimeout() {
        return this.uploadIdleTimeout;
    }

    public void setUploadIdleTimeout(Duration uploadIdleTimeout) {
        this.uploadIdleTimeout = uploadIdleTimeout;
    }

    public DataSize getUploadMinimumRate() {
        return this.uploadMinimumRate;
    }

    public void setUploadMinimumRate(DataSize uploadMinimumRate) {
        this.uploadMinimumRate = uploadMinimumRate;
    }

    public Serving getServing() {
        return this.serving;
    }

    public ProblemDetails getProblemDetails() {
        return this.problemDetails;
    }

    public Multipart getMultipart() {
        return this.multipart;
    }

    @Override
    public boolean supports(Class<?> type) {
        return MemFdWebProperties.class.isAssignableFrom(type);
    }

    /** Called by Spring Boot after binding; the error names its property in the start-up failure report. */
    @Override
    public void validate(Object target, Errors errors) {
        MemFdWebProperties properties = (MemFdWebProperties) target;
        requirePositive(properties.uploadIdleTimeout, "uploadIdleTimeout", errors);
        requirePositive(properties.serving.idleTimeout, "serving.idleTimeout", errors);
        requireZeroOrMore(properties.uploadMinimumRate, "uploadMinimumRate", errors);
        requireZeroOrMore(properties.serving.minimumRate, "serving.minimumRate", errors);
    }

    private static void requireZeroOrMore(DataSize rate, String property, Errors errors) {
        if (rate == null || rate.isNegative()) {
            errors.rejectValue(property, "memfd.negative", "must be zero or more bytes per second, such as 1KB");
        }
    }

    private static void requirePositive(Duration timeout, String property, Errors errors) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            errors.rejectValue(property, "memfd.notPositive", "must be a positive duration, such as 30s");
        }
    }

    /** Sending a MemFdResource returned from a controller. */
    public static class Serving {

        /**
         * Whether a MemFdResource returned from a controller is sent from a descriptor of the response's own: with
         * sendfile(2) on WebFlux (Reactor Netty), in large reads and writes on Spring MVC. When false, Spring's own
         * resource writers copy it in 8 KiB pieces.
         */
        private boolean enabled = true;

        /**
         * Longest time a response sending a memfd may make no progress, the client reading nothing; past it the
         * connection is closed, so that a client that stops reading cannot keep the memfd's pages (and, once the
         * memfd is closed, its share of memfd.max-total-size) for as long as it likes. WebFlux on Reactor Netty, which
         * has no write timeout of its own; Tomcat's and Jetty's connection timeouts cover their writes.
         */
        private Duration idleTimeout = Duration.ofSeconds(60);

        /**
         * Lowest speed, in bytes per second on average since it began, at which a response sending a memfd must go
         * out once it has run idle-timeout; past it the connection is closed, so that a client reading a few bytes
         * now and then cannot keep the memfd's pages (and, once the memfd is closed, its share of
         * memfd.max-total-size) for as long as it likes. What the server has handed to the socket counts, so an honest
         * client is never cut, and a slower one has a head start of one socket send buffer. WebFlux on Reactor Netty.
         * 0 for no minimum.
         */
        private DataSize minimumRate = DataSize.ofKilobytes(1);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getIdleTimeout() {
            return this.idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public DataSize getMinimumRate() {
            return this.minimumRate;
        }

        public void setMinimumRate(DataSize minimumRate) {
            this.minimumRate = minimumRate;
        }
    }

    /** Answering memfd's limits with problem details. */
    public static class ProblemDetails {

        /**
         * Whether memfd's limits are answered as application/problem+json from any controller: 413 past
         * memfd.max-size, 507 past memfd.max-total-size or memfd.max-count, 408 for a stalled upload, 409 for a
         * cancelled one, 400 for an invalid name, 503 with no descriptor left. The application's own exception
         * handlers still come first.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Where WebFlux puts the files of multipart requests. */
    public static class Multipart {

        /**
         * Whether WebFlux stores the files of multipart requests in sealed memfds instead of temporary files: no file
         * is created anywhere, and each file counts against memfd.max-size and memfd.max-total-size while it streams
         * in. The parts behave as ordinary FileParts.
         */
        private boolean enabled = false;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
