#!/usr/bin/env python3
"""A peer of the memfd IPC transport written with Python's standard library only: nobody here wrote its socket code.

Wire format: a request is one SOCK_SEQPACKET message, the version byte 0x01 and the application's header, with at most
one memfd attached (SCM_RIGHTS); a reply is 0x00 and the application's reply, or 0x01 and "REASON\\ndetail".

    peer.py send SOCKET CASE   send one message (a good one, or one of the hostile cases below), print the outcome
    peer.py serve SOCKET       accept one connection, check the memfd it brings, answer, print what was received
    peer.py serve-with-fds SOCKET   the same, but slip two descriptors into the reply, as a hostile server might
    peer.py impostor SOCKET    as nobody, bind where a server should be, accept one connection, print what came

Every line printed is a result the Java test reads; errors go to stderr.
"""
import fcntl
import hashlib
import mmap
import os
import socket
import sys
import tempfile
import time

VERSION = b"\x01"
IMMUTABLE = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SEAL
MIB = 1024 * 1024
NOBODY = 65534


def pattern(size):
    return bytes(i % 251 for i in range(size))


def memfd(name, data=b"", size=None, seals=IMMUTABLE):
    fd = os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    if size is not None:
        os.ftruncate(fd, size)
    if seals:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    return fd


def describe(fd):
    data = os.pread(fd, os.fstat(fd).st_size, 0)
    return "inode=%d sha256=%s" % (os.fstat(fd).st_ino, hashlib.sha256(data).hexdigest())


def outcome(reply):
    if not reply:
        return "CLOSED"
    if reply[0] == 0:
        return "OK " + reply[1:].decode()
    if reply[0] == 1:
        return "REJECTED " + reply[1:].decode().split("\n", 1)[0]
    return "MALFORMED_REPLY"


def exchange(sock, payload, fds, after_send=None):
    try:
        socket.send_fds(sock, [payload], fds)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server refused the connection; its reason is waiting to be read
    if after_send:
        after_send()
    try:
        return outcome(sock.recv(65536))
    except ConnectionResetError:
        # The server closed with this message unread (it refused the connection): Linux reports that once, before
        # the messages the server sent earlier.
        return outcome(sock.recv(65536))


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(path)
    return sock


def send(path, case):
    if case == "wrong-uid":
        # Drop to nobody first: SO_PEERCRED records the credentials at connect time.
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        try:
            sock = connect(path)
        except PermissionError:
            print("EACCES")
            return
        print(exchange(sock, VERSION + b"from nobody", [memfd("nobody", b"x")]))
        return
    sock = connect(path)
    if case == "good":
        fd = memfd("python-good", pattern(MIB))
        print(exchange(sock, VERSION + b"python-good", [fd]))
        print(describe(fd))
    elif case == "unsealed-shrink":
        fd = memfd("unsealed", pattern(MIB), seals=0)
        print(exchange(sock, VERSION + b"unsealed", [fd], after_send=lambda: os.ftruncate(fd, 0)))
    elif case == "dev-shm":
        name = "/dev/shm/memfd-ipc-test-%d" % os.getpid()
        fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        os.unlink(name)
        os.write(fd, b"posix shared memory")  # tmpfs, like a memfd: F_GET_SEALS works on it too
        print(exchange(sock, VERSION + b"dev-shm", [fd]))
    elif case == "regular-file":
        with tempfile.TemporaryFile() as f:
            f.write(b"a regular file")
            f.flush()
            print(exchange(sock, VERSION + b"regular-file", [f.fileno()]))
    elif case == "directory":
        print(exchange(sock, VERSION + b"directory", [os.open("/", os.O_RDONLY | os.O_DIRECTORY)]))
    elif case == "pipe":
        read_end, _ = os.pipe()
        print(exchange(sock, VERSION + b"pipe", [read_end]))
    elif case == "socket":
        one, _ = socket.socketpair()
        print(exchange(sock, VERSION + b"socket", [one.fileno()]))
    elif case == "two-fds":
        print(exchange(sock, VERSION + b"two", [memfd("one", b"1"), memfd("two", b"2")]))
    elif case == "many-fds":
        print(exchange(sock, VERSION + b"many", [memfd("many-%d" % i, b"x") for i in range(16)]))
    elif case == "no-fd":
        print(exchange(sock, VERSION + b"no buffer", []))
    elif case == "garbage-header":
        print(exchange(sock, b"\xff\x00\x13garbage", [memfd("garbage", b"x")]))
    elif case == "oversized-header":
        print(exchange(sock, VERSION + b"h" * (100 * 1024), [memfd("oversized", b"x")]))
    elif case == "too-large-buffer":
        print(exchange(sock, VERSION + b"too large", [memfd("too-large", size=8 * MIB)]))
    elif case == "connect-and-close":
        print("CLOSED")
    elif case == "send-and-close":
        socket.send_fds(sock, [VERSION + b"gone"], [memfd("gone", b"x")])
        print("SENT")
    else:
        raise SystemExit("unknown case " + case)
    sock.close()


def accept_one(path):
    """Binds, says "ready", takes one connection and its first message: the connection, payload and descriptors."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(1)
    print("ready", flush=True)
    conn, _ = listener.accept()
    listener.close()
    msg, fds, _, _ = socket.recv_fds(conn, 65537, 1)
    return conn, msg, fds


def serve(path, reply_fds=()):
    conn, msg, fds = accept_one(path)
    fd = fds[0]
    target = os.readlink("/proc/self/fd/%d" % fd)
    seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
    size = os.fstat(fd).st_size
    with mmap.mmap(fd, size, prot=mmap.PROT_READ) as mapped:
        digest = hashlib.sha256(mapped).hexdigest()
    result = "memfd=%s shrink-sealed=%s size=%d header=%s inode=%d sha256=%s" % (
        target.startswith("/memfd:"), bool(seals & fcntl.F_SEAL_SHRINK), size, msg[1:].decode(),
        os.fstat(fd).st_ino, digest)
    socket.send_fds(conn, [b"\x00" + ("python saw " + result).encode()], list(reply_fds))
    print(result, flush=True)
    conn.close()


def serve_with_fds(path):
    serve(path, reply_fds=[memfd("unwanted", b"x"), os.pipe()[0]])


def impostor(path):
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    conn, msg, fds = accept_one(path)
    print("received %d bytes and %d descriptors" % (len(msg), len(fds)), flush=True)
    conn.close()


if __name__ == "__main__":
    {"send": send, "serve": serve, "serve-with-fds": serve_with_fds, "impostor": impostor}[sys.argv[1]](*sys.argv[2:])
