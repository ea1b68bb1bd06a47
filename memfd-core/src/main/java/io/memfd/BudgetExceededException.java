package io.memfd;

/** The memfd would take the live buffers of its {@link MemFdFactory} beyond their total budget. */
public class BudgetExceededException extends MemFdException {

    private static final long serialVersionUID = 1L;

    private final long budget;
    private final long inUse;
    private final long requested;

    public BudgetExceededException(String operation, String memfdName, int fd, long budget, long inUse,
            long requested) {
        super(operation, memfdName, fd, "another " + requested + " bytes would exceed the total budget of " + budget
                + " bytes across live buffers (" + inUse + " bytes in use)", 0);
        this.budget = budget;
        this.inUse = inUse;
        this.requested = requested;
    }

    /** The total budget in bytes. */
    public long budget() {
        return budget;
    }

    /** The bytes held by live buffers when the request was refused. */
    public long inUse() {
        return inUse;
    }

    /** The additional bytes that were requested. */
    public long requested() {
        return requested;
    }
}
