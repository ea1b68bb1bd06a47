package io.memfd.spring.web.reactive;

import java.net.URI;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

import io.memfd.spring.io.UploadAbortedException;
import io.memfd.spring.web.MemFdProblems;

/**
 * Answers memfd's limits with problem details ({@link MemFdProblems}: 400, 408, 409, 413, 503, 507) from any WebFlux
 * controller or functional endpoint. It runs after the application's own {@code @ExceptionHandler}s (which can answer
 * differently) and before Spring Boot's error handler (which would answer 500).
 */
public class MemFdProblemWebExceptionHandler implements WebExceptionHandler, Ordered {

    /** Before Spring Boot's {@code ErrorWebExceptionHandler} (-1) and Spring's status handler (0). */
    public static final int ORDER = -2;

    private static final Log logger = LogFactory.getLog(MemFdProblemWebExceptionHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (error instanceof UploadAbortedException aborted
                && aborted.reason() == UploadAbortedException.Reason.DISCONNECTED) {
            // Nobody is left to answer. Unhandled, Spring would log a server error with a stack trace for every
            // client that drops an upload: a cheap way for anyone to flood the logs.
            logger.debug(aborted.getMessage());
            ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                .ifPresent((observation) -> observation.setConnectionAborted(true));
            response.setStatusCode(HttpStatus.BAD_REQUEST);
            return Mono.empty();
        }
        ProblemDetail problem = MemFdProblems.of(error);
        if (problem == null || response.isCommitted()) {
            return Mono.error(error);
        }
        problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        byte[] json = MemFdProblems.toJson(problem);
        response.setStatusCode(org.springframework.http.HttpStatusCode.valueOf(problem.getStatus()));
        HttpHeaders headers = response.getHeaders();
        headers.clearContentHeaders();
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.setContentLength(json.length);
        if (MemFdProblems.closesConnection(problem)) {
            headers.setConnection("close");
        }
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(json)));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
