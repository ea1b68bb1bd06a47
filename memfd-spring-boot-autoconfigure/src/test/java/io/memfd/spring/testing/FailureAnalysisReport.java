package io.memfd.spring.testing;

import java.util.List;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.io.support.SpringFactoriesLoader;

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
}
