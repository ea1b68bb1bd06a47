package io.memfd;

import java.util.EnumSet;
import java.util.Set;

import io.memfd.internal.FdHandle;

/**
 * Opens memfds: creates one, or adopts a descriptor received from elsewhere after checking it is a memfd. Either way
 * a factory's registry (when there is one) is charged first, so a memfd over its count or budget is never made, and
 * nothing is left open or charged when a step fails.
 */
final class MemFdOpening {

    /** The seals that together fix a file's size for good. */
    private static final Set<Seal> SIZE_SEALS = EnumSet.of(Seal.SHRINK, Seal.GROW);

    private MemFdOpening() {
    }

    static MemFd create(String name, MemFdOptions options, MemFdRegistry registry) {
        // Before the memfd exists: one over the count or the budget is never created.
        SizeAccount account = registry == null ? null : registry.open(name, -1, "create", options.pageSize(), 0, 0);
        try {
            FdHandle handle = new FdHandle(MemfdCreate.create(name, options.flags()));
            if (!options.isAllowSealing()) {
                forbidSealing(handle, name);
            }
            return track(new MemFdState(name, handle, registry, account, -1, creationSite(registry),
                    options.isCloseOnExec() ? MemFdState.Origin.CREATED : MemFdState.Origin.CREATED_INHERITABLE));
        } catch (RuntimeException e) {
            if (account != null) {
                registry.cancel(account);
            }
            throw e;
        }
    }

    static MemFd adopt(int fd, Set<Seal> requiredSeals, MemFdRegistry registry) {
        String operation = "adopt";
        NativeCallsCheck.require(operation, null);
        // Read first, before the number is owned: a number that is not open must not be closed on the way out.
        String target = ProcFdLink.target(fd, operation);
        FdHandle handle = new FdHandle(fd);
        try {
            MemfdCheck.Found found = MemfdCheck.check(fd, target, operation);
            String name = found.name();
            EnumSet<Seal> present = Seal.fromBits(found.sealBits());
            if (!present.containsAll(requiredSeals)) {
                throw new MissingSealsException(operation, name, fd, requiredSeals, present);
            }
            long size = found.size();
            SizeAccount account = registry == null ? null
                    : registry.open(name, fd, operation, found.pageSize(), size, found.allocated());
            long fixedSize = present.containsAll(SIZE_SEALS) ? size : -1;
            return track(new MemFdState(name, handle, registry, account, fixedSize, creationSite(registry),
                    MemFdState.Origin.ADOPTED));
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** A new, untracked memfd on a duplicate of {@code fd}, the descriptor {@code state} holds. */
    static MemFd duplicate(MemFdState state, int fd) {
        return new MemFd(new MemFdState(state.name, new FdHandle(Fcntl.dupCloseOnExec(fd, state.name)), null, null,
                state.fixedSize, null, MemFdState.Origin.DUPLICATED));
    }

    private static MemFd track(MemFdState state) {
        MemFd memfd = new MemFd(state);
        if (state.registry != null) {
            // Only a registry looks memfds up by name; an untracked memfd needs no reference back to its object.
            state.attach(memfd);
            state.registry.register(state);
        }
        return memfd;
    }

    /**
     * {@code MFD_NOEXEC_SEAL} lifts the initial {@code F_SEAL_SEAL} that a memfd created without
     * {@code MFD_ALLOW_SEALING} has, so a caller who asked for no sealing gets it back explicitly.
     */
    private static void forbidSealing(FdHandle handle, String name) {
        try {
            if (!Fcntl.seals(handle.number(), name).contains(Seal.SEAL)) {
                Fcntl.addSeals(handle.number(), name, EnumSet.of(Seal.SEAL));
            }
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    private static Throwable creationSite(MemFdRegistry registry) {
        return registry != null && registry.leakDetection() == LeakDetection.TRACE
                ? new Throwable("memfd created here")
                : null;
    }
}
