package io.memfd.spring.web.servlet;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.ProblemDetail;

/**
 * Answers an error dispatch with the problem {@link MemFdProblemExceptionResolver} left for it, instead of the error
 * page: when the container has taken a response over (Tomcat does when a stalled upload's read times out, with 408),
 * the resolver can no longer write, and the container's error page would answer with its own body. Registered for
 * {@code ERROR} dispatches only; any other error dispatch goes on to the error page.
 */
public class MemFdProblemErrorDispatchFilter implements Filter {

    private static final String PROBLEM = MemFdProblemErrorDispatchFilter.class.getName() + ".problem";

    /** Leaves {@code problem} to answer the error dispatch of {@code request}. */
    static void answerWith(ServletRequest request, ProblemDetail problem) {
        request.setAttribute(PROBLEM, problem);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getAttribute(PROBLEM) instanceof ProblemDetail problem
                && response instanceof HttpServletResponse http && !http.isCommitted()) {
            MemFdProblemExceptionResolver.write(problem, http);
            return;
        }
        chain.doFilter(request, response);
    }
}
