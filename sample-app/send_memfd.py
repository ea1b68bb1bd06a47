#!/usr/bin/env python3
"""Hands a file to the sample app as a sealed memfd: python3 send_memfd.py FILE [NAME] [SOCKET]. Prints the reply."""
import fcntl, json, os, socket, sys, tempfile

path = sys.argv[1]
name = sys.argv[2] if len(sys.argv) > 2 else os.path.basename(path)
address = sys.argv[3] if len(sys.argv) > 3 else os.path.join(tempfile.gettempdir(), "memfd-sample-app.sock")

fd = os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
with open(path, "rb") as source:
    os.write(fd, source.read())  # fine for a demo; a large file would be copied in chunks
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)
with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
    connection.connect(address)
    socket.send_fds(connection, [b"\x01" + json.dumps({"name": name}).encode()], [fd])
    reply = connection.recv(65537)  # 0x00 + JSON, or 0x01 + "REASON\ndetail" when the server refused the memfd
print(reply[1:].decode() if reply[:1] == b"\x00" else "refused: " + reply[1:].decode())
