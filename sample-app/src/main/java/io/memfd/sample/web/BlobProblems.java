package io.memfd.sample.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;

import io.memfd.BudgetExceededException;
import io.memfd.MemFdException;
import io.memfd.SizeLimitExceededException;

/**
 * Every error as an RFC 9457 {@code application/problem+json} body. Spring's own exceptions and the store's
 * ({@link org.springframework.web.ErrorResponseException}s: not found, invalid name, range not satisfiable) are handled
 * by the base class; memfd's exceptions are mapped here to the HTTP status that says what went wrong.
 */
@RestControllerAdvice
class BlobProblems extends ResponseEntityExceptionHandler {

    /** A blob larger than {@code memfd.max-size}: 413, and the upload left no memfd behind. */
    @ExceptionHandler
    ProblemDetail tooLarge(SizeLimitExceededException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "Blob too large", "The blob would be larger than the "
                + e.limit() + " bytes one blob may hold (memfd.max-size).");
    }

    /** All blobs together would pass {@code memfd.max-total-size}: 507, until some are deleted. */
    @ExceptionHandler
    ProblemDetail budgetExceeded(BudgetExceededException e) {
        return problem(HttpStatus.INSUFFICIENT_STORAGE, "Blob store full", "Another " + e.requested()
                + " bytes would pass the " + e.budget() + " bytes all blobs may hold together (memfd.max-total-size); "
                + e.inUse() + " are in use. Delete blobs to make room.");
    }

    /** Any other memfd failure is the server's. */
    @ExceptionHandler
    ProblemDetail memfdFailed(MemFdException e) {
        this.logger.error("memfd operation failed", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "memfd operation failed", e.getMessage());
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
