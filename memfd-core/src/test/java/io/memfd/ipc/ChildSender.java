package io.memfd.ipc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;

import io.memfd.testing.TestLibc;
import io.memfd.MemFd;

/**
 * The other process of {@link CrossProcessTest}: fills a memfd, seals it, prints what it sent (inode and CRC) and
 * sends it to the server at {@code args[0]}; then prints the reply. Results are {@code key=value} lines.
 */
public final class ChildSender {

    private ChildSender() {
    }

    public static void main(String[] args) {
        Path socket = Path.of(args[0]);
        int size = Integer.parseInt(args[1]);
        try (MemFd buffer = MemFd.create("child-buffer"); MemFdClient client = MemFdClient.builder(socket).build()) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            for (int position = 0; position < size; position += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.put((byte) ((position + chunk.position()) * 31 >>> 7));
                }
                buffer.write(position, chunk.flip());
            }
            buffer.makeImmutable();
            long inode = buffer.withRawFd(fd -> TestLibc.inode(fd));
            System.out.println("pid=" + ProcessHandle.current().pid());
            System.out.println("sent=" + describe(buffer, inode));
            byte[] reply = client.send("64 MiB from a child".getBytes(StandardCharsets.UTF_8), buffer);
            System.out.println("reply=" + new String(reply, StandardCharsets.UTF_8));
        }
    }

    /** Inode, CRC of the content and size: what both processes print of the file they hold. */
    static String describe(MemFd buffer, long inode) {
        CRC32 crc = new CRC32();
        crc.update(buffer.mapReadOnly());
        return "inode=" + inode + " crc=" + crc.getValue() + " size=" + buffer.size();
    }
}
