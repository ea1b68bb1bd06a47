package io.memfd.ipc;

/**
 * Who is at the other end of a connection, as the kernel recorded it when the connection was made
 * ({@code SO_PEERCRED}): the process id and the effective user and group ids. A peer cannot forge them.
 *
 * @param pid the peer's process id (in the server's pid namespace; 0 when the peer is in a namespace it cannot see)
 * @param uid the peer's effective user id
 * @param gid the peer's effective group id
 */
public record PeerCredentials(long pid, long uid, long gid) {

    @Override
    public String toString() {
        return "pid " + pid + ", uid " + uid + ", gid " + gid;
    }
}
