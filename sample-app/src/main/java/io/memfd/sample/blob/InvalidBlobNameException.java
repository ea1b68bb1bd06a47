package io.memfd.sample.blob;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** A name the store cannot give a memfd; answered with 400 and a problem detail. */
public class InvalidBlobNameException extends ErrorResponseException {

    public InvalidBlobNameException(String reason) {
        super(HttpStatus.BAD_REQUEST, problem(reason), null);
    }

    private static ProblemDetail problem(String reason) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "The name cannot name a blob: " + reason + ".");
        problem.setTitle("Invalid blob name");
        return problem;
    }
}
