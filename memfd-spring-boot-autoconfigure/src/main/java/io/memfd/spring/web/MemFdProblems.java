package io.memfd.spring.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import io.memfd.BudgetExceededException;
import io.memfd.CountLimitExceededException;
import io.memfd.OutOfDescriptorsException;
import io.memfd.SizeLimitExceededException;
import io.memfd.spring.io.InvalidMemFdNameException;
import io.memfd.spring.io.UploadAbortedException;

/**
 * The RFC 9457 problem details that memfd's limits stand for over HTTP: a buffer past {@code memfd.max-size} is 413
 * (Content Too Large), past {@code memfd.max-total-size} or {@code memfd.max-count} 507 (Insufficient Storage), an
 * upload that stalled 408 (Request Timeout), one cancelled by the application 409 (Conflict), a name no memfd may
 * have 400 (Bad Request), and no descriptor left for a memfd 503 (Service Unavailable). Both web stacks use it, so
 * the answers are the same on WebFlux and MVC.
 */
public final class MemFdProblems {

    private MemFdProblems() {
    }

    /**
     * The problem {@code error}, or the first of its causes that is one of memfd's limits, stands for; {@code null}
     * for any other error.
     */
    public static @Nullable ProblemDetail of(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            ProblemDetail problem = ofThis(cause);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static @Nullable ProblemDetail ofThis(Throwable error) {
        if (error instanceof SizeLimitExceededException tooLarge) {
            ProblemDetail problem = problem(HttpStatus.CONTENT_TOO_LARGE, "The content would be larger than the "
                    + tooLarge.limit() + " bytes one memfd may hold (memfd.max-size).");
            problem.setProperty("limit", tooLarge.limit());
            return problem;
        }
        if (error instanceof CountLimitExceededException tooMany) {
            ProblemDetail problem = problem(HttpStatus.INSUFFICIENT_STORAGE, "Another memfd would pass the "
                    + tooMany.maxCount() + " memfds that may be open at once (memfd.max-count).");
            problem.setProperty("maxCount", tooMany.maxCount());
            return problem;
        }
        if (error instanceof BudgetExceededException full) {
            ProblemDetail problem = problem(HttpStatus.INSUFFICIENT_STORAGE, "Another " + full.requested()
                    + " bytes would pass the " + full.budget() + " bytes all memfds may hold together"
                    + " (memfd.max-total-size); " + full.inUse() + " are in use"
                    + (full.heldByClosed() > 0 ? ", " + full.heldByClosed() + " of them by closed memfds still being"
                            + " sent or mapped" : "") + ".");
            problem.setProperty("budget", full.budget());
            problem.setProperty("inUse", full.inUse());
            problem.setProperty("heldByClosed", full.heldByClosed());
            return problem;
        }
        if (error instanceof OutOfDescriptorsException) {
            // The process or the system ran out of descriptors: a passing state (connections, responses and buffers
            // closing free them), not a fault of the request nor of the server's code.
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "No file descriptor is left for another memfd; try again"
                    + " later.");
        }
        if (error instanceof UploadAbortedException aborted) {
            HttpStatus status = aborted.reason() == UploadAbortedException.Reason.STALLED ? HttpStatus.REQUEST_TIMEOUT
                    : HttpStatus.CONFLICT;
            return problem(status, aborted.getMessage());
        }
        if (error instanceof InvalidMemFdNameException invalidName) {
            return problem(HttpStatus.BAD_REQUEST, invalidName.getMessage());
        }
        return null;
    }

    /**
     * Whether the connection should be closed after this answer (Tomcat decides this itself from the status): a stalled
     * upload (RFC 9110 says a 408 closes), or an upload refused part-way (413, 507), whose unread rest of the body
     * would otherwise be read and thrown away before the connection could serve another request.
     */
    public static boolean closesConnection(ProblemDetail problem) {
        int status = problem.getStatus();
        return status == HttpStatus.REQUEST_TIMEOUT.value() || status == HttpStatus.CONTENT_TOO_LARGE.value()
                || status == HttpStatus.INSUFFICIENT_STORAGE.value();
    }

    private static ProblemDetail problem(HttpStatus status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(status.getReasonPhrase());
        return problem;
    }

    /**
     * The problem as {@code application/problem+json}, written here rather than by the application's JSON codec so
     * that it needs none: its members are strings and numbers.
     */
    public static byte[] toJson(ProblemDetail problem) {
        StringBuilder json = new StringBuilder("{");
        URI type = problem.getType();
        member(json, "type", type == null ? "about:blank" : type.toString());
        member(json, "title", problem.getTitle());
        member(json, "status", problem.getStatus());
        member(json, "detail", problem.getDetail());
        URI instance = problem.getInstance();
        member(json, "instance", instance == null ? null : instance.toString());
        Map<String, Object> properties = problem.getProperties();
        if (properties != null) {
            properties.forEach((name, value) -> member(json, name, value));
        }
        json.setCharAt(json.length() - 1, '}');
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void member(StringBuilder json, String name, @Nullable Object value) {
        if (value == null) {
            return;
        }
        string(json, name).append(':');
        if (value instanceof Number) {
            json.append(value);
        } else {
            string(json, value.toString());
        }
        json.append(',');
    }

    private static StringBuilder string(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"');
    }
}
