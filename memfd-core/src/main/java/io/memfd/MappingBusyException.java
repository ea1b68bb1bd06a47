package io.memfd;

/**
 * {@link Seal#WRITE} cannot be added while a shared writable mapping of the file exists ({@code EBUSY}). The JVM
 * unmaps a {@code MappedByteBuffer} only when it is garbage-collected, so write through {@link MemFd#write} before
 * sealing, or seal with {@link Seal#FUTURE_WRITE}, which existing mappings do not block.
 */
public class MappingBusyException extends MemFdException {

    private static final long serialVersionUID = 1L;

    public MappingBusyException(String operation, String memfdName, int fd, int errno) {
        super(operation, memfdName, fd,
                "a shared writable mapping of the memfd is still alive, and F_SEAL_WRITE cannot be added until it is"
                        + " unmapped (the JVM unmaps a MappedByteBuffer only when it is garbage-collected); write with"
                        + " MemFd.write instead of a mapping before sealing, or seal with FUTURE_WRITE",
                errno);
    }
}
