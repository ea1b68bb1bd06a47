package io.memfd.spring.web;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What serving costs this process, from the kernel's and the JVM's own counters: read and write system calls
 * ({@code syscr} and {@code syscw} in {@code /proc/self/io}: each {@code read} or {@code pread}, each {@code write},
 * {@code writev} or {@code sendfile} counts one) and heap bytes allocated by the server's threads.
 */
public record ServerCost(long readCalls, long writeCalls, long allocatedBytes) {

    /** The counters now; {@code threadNamePart} picks the server's threads (e.g. {@code -http-}, {@code -exec-}). */
    public static ServerCost now(String threadNamePart) throws IOException {
        return new ServerCost(ioCounter("syscr:"), ioCounter("syscw:"), allocated(threadNamePart));
    }

    /** The cost since {@code before}. */
    public ServerCost since(ServerCost before) {
        return new ServerCost(this.readCalls - before.readCalls, this.writeCalls - before.writeCalls,
                this.allocatedBytes - before.allocatedBytes);
    }

    private static long ioCounter(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim());
            }
        }
        throw new IllegalStateException("/proc/self/io has no " + name + " line");
    }

    private static long allocated(String threadNamePart) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (thread != null && thread.getThreadName().contains(threadNamePart)) {
                total += threads.getThreadAllocatedBytes(thread.getThreadId());
            }
        }
        return total;
    }
}
