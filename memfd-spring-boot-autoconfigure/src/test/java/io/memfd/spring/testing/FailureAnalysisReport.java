package io.memfd.spring.testing;

import java.util.List;
import java.util.function.Consumer;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure analysis Spring Boot would print for a start-up failure: the first answer of the analyzers registered in
 * {@code META-INF/spring.factories}, in their order, as {@code SpringApplication} asks them. Analyzers that need
 * constructor arguments (the bean factory, the environment) are left out; none of them analyzes these failures.
 */
public final class FailureAnalysisReport {

    private FailureAnalysisReport() {
    }

    public static FailureAnalysis of(Throwable failure) {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, e) -> {
            }));
        AnnotationAwareOrderComparator.sort(analyzers);
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        throw new AssertionError("No failure analyzer explains " + failure, failure);
    }

    /** Runs {@code runner} with {@code properties}, expects start-up to fail, and checks the report's analysis. */
    public static void assertStartupFails(ApplicationContextRunner runner, Consumer<FailureAnalysis> analysis,
            String... properties) {
        runner.withPropertyValues(properties).run((context) -> {
            assertThat(context).hasFailed();
            analysis.accept(of(context.getStartupFailure()));
        });
    }

    /**
     * How the report names a property as it was written. (Its "Property:" line uses the Java field name, e.g.
     * memfd.maxSize, as Spring Boot does for every validated properties class.)
     */
    public static String origin(String property) {
        return "Origin: \"" + property + "\" from property source";
    }
}
