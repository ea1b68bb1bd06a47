package io.memfd.sample.blob;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** No blob has this id (any more); answered with 404 and a problem detail. */
public class BlobNotFoundException extends ErrorResponseException {

    public BlobNotFoundException(long id) {
        super(HttpStatus.NOT_FOUND, problem(id), null);
    }

    private static ProblemDetail problem(long id) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "No blob has the id " + id + ".");
        problem.setTitle("Blob not found");
        return problem;
    }
}
