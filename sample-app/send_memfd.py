#!/usr/bin/env python3
"""Hands a file to the sample app as a sealed memfd: python3 send_memfd.py FILE [NAME] [SOCKET]. Prints the reply.

SOCKET defaults to where the app listens: memfd-sample-app.sock in $XDG_RUNTIME_DIR, or in /tmp/memfd-UID. Nothing is
sent unless the process listening there runs as this user (SO_PEERCRED): another user could have bound the path.
"""
import fcntl, json, os, socket, stat, struct, sys


def default_socket():
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    private = runtime.startswith("/") and os.path.isdir(runtime) and not os.path.islink(runtime) \
        and os.lstat(runtime).st_uid == os.geteuid() and stat.S_IMODE(os.lstat(runtime).st_mode) & 0o077 == 0
    directory = runtime if private else "/tmp/memfd-%d" % os.geteuid()
    return os.path.join(directory, "memfd-sample-app.sock")


path = sys.argv[1]
name = sys.argv[2] if len(sys.argv) > 2 else os.path.basename(path)
address = sys.argv[3] if len(sys.argv) > 3 else default_socket()

fd = os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
with open(path, "rb") as source:
    os.write(fd, source.read())  # fine for a demo; a large file would be copied in chunks
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)
with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
    connection.connect(address)
    pid, uid, gid = struct.unpack("iII", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    if uid != os.geteuid():
        sys.exit("refused: the process listening on %s runs as uid %d, not as this user; nothing was sent"
                 % (address, uid))
    socket.send_fds(connection, [b"\x01" + json.dumps({"name": name}).encode()], [fd])
    reply = connection.recv(65537)  # 0x00 + JSON, or 0x01 + "REASON\ndetail" when the server refused the memfd
print(reply[1:].decode() if reply[:1] == b"\x00" else "refused: " + reply[1:].decode())
