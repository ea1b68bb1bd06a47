#!/usr/bin/env python3
"""GET a URL path N times on one keep-alive connection, moving each body to /dev/null with splice(2), so the client
copies nothing: the server's way of sending is what the throughput shows. Prints MiB/s per request.

    bench/splice_get.py HOST PORT PATH N
"""
import fcntl
import os
import socket
import sys
import time

F_SETPIPE_SZ = 1031


def main():
    host, port, path, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    devnull = os.open("/dev/null", os.O_WRONLY)
    pipe_out, pipe_in = os.pipe()
    fcntl.fcntl(pipe_in, F_SETPIPE_SZ, 1 << 20)
    with socket.create_connection((host, port)) as connection:
        for _ in range(count):
            start = time.perf_counter()
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode("ascii"))
            length = content_length(read_head(connection))
            left = length
            while left:
                moved = os.splice(connection.fileno(), pipe_in, min(left, 1 << 20))
                if moved == 0:
                    sys.exit(f"the connection closed with {left} bytes to go")
                left -= moved
                while moved:
                    moved -= os.splice(pipe_out, devnull, moved)
            print(f"{length / (time.perf_counter() - start) / 1048576:.1f}")


def read_head(connection):
    # Byte by byte, so that no body byte is read into user space.
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = connection.recv(1)
        if not byte:
            sys.exit("the connection closed before the end of the headers")
        head += byte
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit(head.decode("ascii", "replace"))
    return head


def content_length(head):
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    sys.exit("no Content-Length")


if __name__ == "__main__":
    main()
