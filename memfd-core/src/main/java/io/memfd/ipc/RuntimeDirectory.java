package io.memfd.ipc;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The directory for socket files whose path the application does not choose: one that only this user may enter, so
 * that no other user can bind a server's path first (the server would not start), nor stand in for a server that is
 * down and receive what senders send.
 * <ul>
 * <li>{@code $XDG_RUNTIME_DIR} where it is set and is this user's private directory, as the login manager makes it;
 * <li>otherwise {@code memfd-UID} in {@code java.io.tmpdir}, created with mode 0700. Should it exist already, it
 * must be a directory (not a link) of this user that nobody else may enter; and the temporary directory must keep
 * others from replacing it (not writable by others, or sticky, as {@code /tmp} is). Otherwise the server does not
 * start, and the reason names the directory: someone else took it.
 * </ul>
 */
final class RuntimeDirectory {

    private static final System.Logger LOG = System.getLogger(RuntimeDirectory.class.getName());
    private static final int STICKY = 01000;
    private static final String OPERATION = "prepare the directory for socket files";

    private RuntimeDirectory() {
    }

    /** The directory for this process's user, from its environment. */
    static Path forThisUser() {
        return resolve(System.getenv("XDG_RUNTIME_DIR"), Path.of(System.getProperty("java.io.tmpdir")));
    }

    static Path resolve(String xdgRuntimeDir, Path temporary) {
        long uid = UnixSockets.effectiveUid();
        if (xdgRuntimeDir != null && !xdgRuntimeDir.isEmpty()) {
            Path runtime = Path.of(xdgRuntimeDir);
            String problem = runtime.isAbsolute() ? problem(runtime, uid) : "it is not an absolute path";
            if (problem == null) {
                return runtime;
            }
            LOG.log(System.Logger.Level.INFO, "XDG_RUNTIME_DIR (" + xdgRuntimeDir + ") is not used for socket files: "
                    + problem);
        }
        Path own = temporary.toAbsolutePath().resolve("memfd-" + uid);
        String parentProblem = parentProblem(own.getParent());
        if (parentProblem != null) {
            throw new IpcException(OPERATION, own, parentProblem + "; set the socket path explicitly", 0);
        }
        try {
            Files.createDirectory(own, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        } catch (FileAlreadyExistsException e) {
            // Checked below, as a new one is: whoever made it, it must be this user's private directory.
        } catch (IOException e) {
            throw new IpcException(OPERATION, own, e.toString(), 0);
        }
        String problem = problem(own, uid);
        if (problem != null) {
            throw new IpcException(OPERATION, own, problem + "; another user may have made it to intercept the"
                    + " socket: remove it, or set the socket path explicitly", 0);
        }
        return own;
    }

    /** Why {@code directory} is not this user's private directory, or {@code null} when it is. */
    private static String problem(Path directory, long uid) {
        FileNode node = FileNode.at(directory);
        if (node == null) {
            return "it does not exist";
        }
        if (!node.directory()) {
            return "it is not a directory (a symbolic link, or another file)";
        }
        if (node.uid() != uid) {
            return "it belongs to uid " + node.uid() + ", not to this process's user (uid " + uid + ")";
        }
        if ((node.permissions() & 077) != 0) {
            return "other users may use it (mode 0" + Integer.toOctalString(node.permissions()) + "); it must be 0700";
        }
        return null;
    }

    /** Why a directory in {@code parent} could be replaced by another user, or {@code null}. */
    private static String parentProblem(Path parent) {
        FileNode node = FileNode.at(parent);
        if (node == null || !node.directory()) {
            return "the temporary directory " + parent + " is not a directory";
        }
        if ((node.permissions() & 022) != 0 && (node.permissions() & STICKY) == 0) {
            return "the temporary directory " + parent + " is writable by others and not sticky, so they could"
                    + " replace a directory in it";
        }
        return null;
    }
}
