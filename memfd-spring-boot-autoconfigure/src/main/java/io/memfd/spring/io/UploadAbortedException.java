package io.memfd.spring.io;

/**
 * An upload into a memfd that ended before its content did: the client went silent for longer than the idle timeout
 * ({@code memfd.web.upload-idle-timeout}), the application cancelled it ({@link MemFdUploads#cancel}), or the client
 * went away. The memfd being written was closed, so it holds no memory and no budget any more. Over HTTP it is
 * answered 408 or 409 (or, the client gone, not at all).
 */
public class UploadAbortedException extends RuntimeException {

    /** Why the upload ended. */
    public enum Reason {

        /** No byte arrived within the idle timeout. */
        STALLED,

        /** The application cancelled it. */
        CANCELLED,

        /** The client went away before its last byte: there is nobody left to answer. */
        DISCONNECTED
    }

    private final Reason reason;

    public UploadAbortedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return this.reason;
    }
}
