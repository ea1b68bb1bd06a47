package io.memfd;

/**
 * A policy forbids the operation: the {@code vm.memfd_noexec} sysctl, a seccomp filter or LSM (SELinux, AppArmor),
 * a missing privilege, or a descriptor opened without the access the operation needs.
 */
public class NotPermittedException extends MemFdException {

    private static final long serialVersionUID = 1L;

    NotPermittedException(String operation, String memfdName, int fd, String cause, int errno) {
        super(operation, memfdName, fd, cause, errno);
    }
}
