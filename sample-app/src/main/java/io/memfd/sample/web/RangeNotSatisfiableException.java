package io.memfd.sample.web;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** A {@code Range} header that cannot be served: 416, with {@code Content-Range: bytes *}{@code /SIZE}. */
class RangeNotSatisfiableException extends ErrorResponseException {

    RangeNotSatisfiableException(long size, String reason) {
        super(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, problem(reason), null);
        getHeaders().set(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
    }

    private static ProblemDetail problem(String reason) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                "The Range header cannot be served: " + reason + ".");
        problem.setTitle("Range not satisfiable");
        return problem;
    }
}
