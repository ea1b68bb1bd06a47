package io.memfd;

/**
 * Another buffer would take the live buffers of a {@link MemFdFactory} beyond their maximum count. Each buffer holds a
 * descriptor and kernel memory for its file however small it is, so the count is limited as the bytes are: as a part
 * of the budget, which is why this is a {@link BudgetExceededException}, counted in buffers.
 */
public class CountLimitExceededException extends BudgetExceededException {

    private static final long serialVersionUID = 1L;

    CountLimitExceededException(String operation, String memfdName, int maxCount) {
        super(operation, memfdName, -1, "another buffer would exceed the maximum of " + maxCount
                + " live buffers", maxCount, maxCount, 1, 0);
    }

    /** The most buffers the factory keeps open at once. */
    public int maxCount() {
        return (int) budget();
    }
}
