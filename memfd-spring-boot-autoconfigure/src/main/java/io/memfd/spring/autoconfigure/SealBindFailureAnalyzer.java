package io.memfd.spring.autoconfigure;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.convert.ConversionFailedException;

import io.memfd.Seal;

/**
 * Explains a seal name that does not bind ({@code memfd.default-seals}, {@code memfd.ipc.server.required-seals}) with
 * the names as YAML and the IDE's completion write them ({@code future-write}). Spring Boot's own analysis would list
 * the Java constants ({@code FUTURE_WRITE}); it runs after this one.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class SealBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

    /** The seal names as configuration writes them: seal, shrink, grow, write, future-write, exec. */
    private static final String NAMES = Arrays.stream(Seal.values())
        .map(SealBindFailureAnalyzer::written)
        .collect(Collectors.joining(", "));

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        ConversionFailedException conversion = findCause(cause, ConversionFailedException.class);
        if (conversion == null || conversion.getTargetType().getType() != Seal.class) {
            return null;
        }
        StringBuilder description = new StringBuilder().append("Failed to bind properties under '")
            .append(cause.getName())
            .append("' to ")
            .append(cause.getTarget().getType())
            .append(":\n");
        ConfigurationProperty property = cause.getProperty();
        if (property != null) {
            description.append("\n    Property: ").append(cause.getName());
            description.append("\n    Value: \"").append(property.getValue()).append('"');
            description.append("\n    Origin: ").append(property.getOrigin());
        }
        description.append("\n    Reason: '").append(conversion.getValue()).append("' is not a seal");
        return new FailureAnalysis(description.toString(),
                "Update your application's configuration. The seals are " + NAMES + ".", cause);
    }

    /** {@code FUTURE_WRITE} as configuration writes it: {@code future-write}. */
    private static String written(Seal seal) {
        return seal.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
