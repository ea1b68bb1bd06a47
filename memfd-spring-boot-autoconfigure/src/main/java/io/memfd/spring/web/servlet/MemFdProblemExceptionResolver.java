package io.memfd.spring.web.servlet;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

import io.memfd.spring.io.UploadAbortedException;
import io.memfd.spring.web.MemFdProblems;

/**
 * Answers memfd's limits with problem details ({@link MemFdProblems}: 400, 408, 409, 413, 503, 507) from any Spring
 * MVC controller. It runs after Spring MVC's own resolvers, so the application's {@code @ExceptionHandler}s come
 * first.
 */
public class MemFdProblemExceptionResolver implements HandlerExceptionResolver, Ordered {

    private static final Log logger = LogFactory.getLog(MemFdProblemExceptionResolver.class);

    /** After Spring MVC's resolvers (0), which run the application's exception handlers. */
    public static final int ORDER = 10;

    @Override
    public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
            @Nullable Object handler, Exception error) {
        ProblemDetail problem = MemFdProblems.of(error);
        if (problem == null) {
            return null;
        }
        problem.setInstance(URI.create(request.getRequestURI()));
        if (!response.isCommitted()) {
            write(problem, response);
            return new ModelAndView();
        }
        if (isStalled(error) && response.getStatus() == HttpStatus.REQUEST_TIMEOUT.value()) {
            // The container took the response over: a read of a stalled upload timed out, which Tomcat marks 408 and
            // answers through its error page. The error dispatch answers with the problem instead.
            MemFdProblemErrorDispatchFilter.answerWith(request, problem);
            return new ModelAndView();
        }
        if (error instanceof UploadAbortedException) {
            // The upload's client went away before it could be answered (the container then ends the response): no
            // one is left to tell, and no server error either, which any client could otherwise fill the log with.
            if (logger.isDebugEnabled()) {
                logger.debug("Not answered, the client is gone: " + error.getMessage());
            }
            return new ModelAndView();
        }
        return null;
    }

    private static boolean isStalled(Exception error) {
        return error instanceof UploadAbortedException aborted
                && aborted.reason() == UploadAbortedException.Reason.STALLED;
    }

    /** Writes {@code problem} as the whole response. */
    static void write(ProblemDetail problem, HttpServletResponse response) {
        byte[] json = MemFdProblems.toJson(problem);
        try {
            response.resetBuffer();
            response.setStatus(problem.getStatus());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setContentLength(json.length);
            response.getOutputStream().write(json);
        } catch (IOException e) {
            // The client went away; there is no one left to answer.
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
