package io.memfd;

/**
 * The memfd would take the live buffers of its {@link MemFdFactory} beyond their total budget: the bytes the kernel
 * holds for them (and for closed ones whose pages something still holds: {@link MemFdRegistry#usedBytes()}), or (a
 * {@link CountLimitExceededException}) their number.
 */
public class BudgetExceededException extends MemFdException {

    private static final long serialVersionUID = 1L;

    private final long budget;
    private final long inUse;
    private final long requested;
    private final long heldByClosed;

    /**
     * @param heldByClosed the part of {@code inUse} that closed buffers hold, whose pages a channel, a mapping or a
     *        duplicate still keeps in the kernel
     */
    BudgetExceededException(String operation, String memfdName, int fd, long budget, long inUse,
            long requested, long heldByClosed) {
        this(operation, memfdName, fd, "another " + requested + " bytes would exceed the total budget of " + budget
                + " bytes across live buffers (" + inUse + " bytes in use"
                + (heldByClosed > 0 ? ", " + heldByClosed + " of them by closed buffers whose pages a channel, a"
                        + " mapping not yet garbage-collected or a duplicate still holds" : "")
                + ")", budget, inUse, requested, heldByClosed);
    }

    /** For a budget counted in other units than bytes; {@code cause} says which. */
    BudgetExceededException(String operation, String memfdName, int fd, String cause, long budget,
            long inUse, long requested, long heldByClosed) {
        super(operation, memfdName, fd, cause, 0);
        this.budget = budget;
        this.inUse = inUse;
        this.requested = requested;
        this.heldByClosed = heldByClosed;
    }

    /** The total budget: in bytes, or in buffers for a {@link CountLimitExceededException}. */
    public long budget() {
        return budget;
    }

    /** What live buffers held when the request was refused, in the budget's unit. */
    public long inUse() {
        return inUse;
    }

    /** What was requested in addition, in the budget's unit. */
    public long requested() {
        return requested;
    }

    /**
     * The part of {@link #inUse()} that closed buffers held, whose pages a channel (a response still sending them),
     * a mapping not yet garbage-collected or a duplicate kept; 0 for a count.
     */
    public long heldByClosed() {
        return heldByClosed;
    }
}
