package io.memfd;

/**
 * A live mapping forbids the operation. {@link Seal#WRITE} cannot be added while a shared writable mapping of the file
 * exists ({@code EBUSY}): write through {@link MemFd#write} before sealing, or seal with {@link Seal#FUTURE_WRITE},
 * which existing mappings do not block. A memfd is not shrunk below a mapping that is still reachable, because reading
 * the lost pages would crash the JVM ({@code SIGBUS}). The JVM unmaps a {@code MappedByteBuffer} only when it is
 * garbage-collected.
 */
public class MappingBusyException extends MemFdException {

    private static final long serialVersionUID = 1L;

    MappingBusyException(String operation, String memfdName, int fd, int errno) {
        super(operation, memfdName, fd,
                "a shared writable mapping of the memfd is still alive, and F_SEAL_WRITE cannot be added until it is"
                        + " unmapped (the JVM unmaps a MappedByteBuffer only when it is garbage-collected); write with"
                        + " MemFd.write instead of a mapping before sealing, or seal with FUTURE_WRITE",
                errno);
    }

    /** @param cause why the mapping forbids the operation, in plain words */
    MappingBusyException(String operation, String memfdName, int fd, String cause) {
        super(operation, memfdName, fd, cause, 0);
    }
}
