package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.internal.FdHandle;
import io.memfd.testing.OpenFds;
import io.memfd.testing.TestLibc;

/**
 * Each reason a server turns a peer or a message down, tried on {@link MessageAdmission} alone: the messages are built
 * here from real descriptors (memfds, pipes) as the kernel would deliver them, with no socket and no peer process. A
 * rejected message's descriptors are all closed.
 */
class MessageAdmissionTest {

    private static final int MFD_ALLOW_SEALING = 2;
    private static final PeerCredentials ME = new PeerCredentials(ProcessHandle.current().pid(), 1000, 1000);
    private static final byte[] REQUEST = Wire.request("header".getBytes(UTF_8));

    private final List<Integer> sent = new ArrayList<>();
    private final List<MemFd> admitted = new ArrayList<>();

    @AfterEach
    void closeAdmitted() {
        admitted.forEach(MemFd::close);
    }

    @Test
    void aGoodMessageBecomesARequestThatOwnsItsBuffer() {
        MemFdRequest request = admission().admit(message(REQUEST, memfd("good", 5, Seal.SHRINK, Seal.GROW)), ME);

        admitted.add(request.buffer());
        assertThat(request.header()).isEqualTo("header".getBytes(UTF_8));
        assertThat(request.buffer().name()).isEqualTo("good");
        assertThat(request.bufferSize()).isEqualTo(5);
        assertThat(request.peer()).isEqualTo(ME);
    }

    @Test
    void aUserNotAllowed() {
        MessageAdmission.Rejection rejection = catchThrowableOfType(MessageAdmission.Rejection.class,
                () -> admission().checkPeer(new PeerCredentials(1, 1001, 1001)));

        assertThat(rejection.reason).isEqualTo(RejectReason.PEER_NOT_ALLOWED);
        assertThat(rejection.detail).isEqualTo("uid 1001 may not use this server");
    }

    @Test
    void controlDataTheKernelTruncated() {
        assertRejected(new SocketMessages.Received(REQUEST, fds(memfd("a", 1), memfd("b", 1), memfd("c", 1),
                memfd("d", 1)), false, true), RejectReason.CONTROL_TRUNCATED);
    }

    @Test
    void aDescriptorTheKernelCouldNotInstallForWantOfDescriptors() {
        // With room for four, a truncation that leaves fewer means the kernel failed to install one (EMFILE, ENFILE).
        assertRejected(new SocketMessages.Received(REQUEST, List.of(), false, true), RejectReason.OUT_OF_DESCRIPTORS);
    }

    @Test
    void aMemfdWhoseNameHasAControlCharacter() {
        assertRejected(message(REQUEST, memfd("line\nbreak", 1, Seal.SHRINK, Seal.GROW)), RejectReason.INVALID_NAME);
    }

    @Test
    void aBufferOverTheFactorysCount() {
        try (MemFdFactory factory = MemFdFactory.builder().maxCount(1).build(); MemFd held = factory.create("held")) {
            assertRejected(admission(factory), message(REQUEST, memfd("one more", 1, Seal.SHRINK, Seal.GROW)),
                    RejectReason.OVER_BUDGET);
        }
    }

    @Test
    void twoDescriptors() {
        assertRejected(message(REQUEST, memfd("a", 1, Seal.SHRINK, Seal.GROW), memfd("b", 1, Seal.SHRINK, Seal.GROW)),
                RejectReason.TOO_MANY_FDS);
    }

    @Test
    void aHeaderOverTheLimit() {
        assertRejected(message(Wire.request(new byte[65]), memfd("big-header", 1)), RejectReason.HEADER_TOO_LARGE);
    }

    @Test
    void aPayloadTheKernelTruncated() {
        assertRejected(new SocketMessages.Received(REQUEST, fds(memfd("cut", 1)), true, false),
                RejectReason.HEADER_TOO_LARGE);
    }

    @Test
    void anUnknownVersionByte() {
        assertRejected(message(new byte[] {(byte) 0xff, 'x'}, memfd("garbage", 1)), RejectReason.MALFORMED);
    }

    @Test
    void noBuffer() {
        assertRejected(message(REQUEST), RejectReason.NO_BUFFER);
    }

    @Test
    void noBufferIsFineWhereNoneIsRequired() {
        MemFdRequest request = new MessageAdmission(EnumSet.of(Seal.SHRINK), 64, 64, Set.of(1000L), false, null)
                .admit(message(REQUEST), ME);

        assertThat(request.hasBuffer()).isFalse();
    }

    @Test
    void aPipe() {
        int[] pipe = new int[2];
        TestLibc.pipe(pipe);
        TestLibc.close(pipe[1]);
        sent.add(pipe[0]);
        assertRejected(message(REQUEST, pipe[0]), RejectReason.NOT_MEMFD);
    }

    @Test
    void aMemfdWithoutTheRequiredSeals() {
        assertRejected(message(REQUEST, memfd("unsealed", 1, Seal.SHRINK)), RejectReason.MISSING_SEALS);
    }

    @Test
    void aBufferOverTheServersLimit() {
        assertRejected(message(REQUEST, memfd("large", 65, Seal.SHRINK, Seal.GROW)), RejectReason.BUFFER_TOO_LARGE);
    }

    @Test
    void aBufferOverTheFactorysLimit() {
        try (MemFdFactory factory = MemFdFactory.builder().maxSize(10).build()) {
            assertRejected(admission(factory), message(REQUEST, memfd("large", 11, Seal.SHRINK, Seal.GROW)),
                    RejectReason.BUFFER_TOO_LARGE);
        }
    }

    @Test
    void aBufferOverTheFactorysBudget() {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(10).build()) {
            assertRejected(admission(factory), message(REQUEST, memfd("costly", 11, Seal.SHRINK, Seal.GROW)),
                    RejectReason.OVER_BUDGET);
        }
    }

    @Test
    void aClosedFactory() {
        MemFdFactory factory = MemFdFactory.builder().build();
        factory.close();
        assertRejected(admission(factory), message(REQUEST, memfd("late", 1, Seal.SHRINK, Seal.GROW)),
                RejectReason.HANDLER_FAILED);
    }

    private static MessageAdmission admission() {
        return admission(null);
    }

    private static MessageAdmission admission(MemFdFactory factory) {
        return new MessageAdmission(EnumSet.of(Seal.SHRINK, Seal.GROW), 64, 64, Set.of(1000L), true, factory);
    }

    private void assertRejected(SocketMessages.Received message, RejectReason reason) {
        assertRejected(admission(), message, reason);
    }

    private void assertRejected(MessageAdmission admission, SocketMessages.Received message, RejectReason reason) {
        // Which file each number refers to: the JVM opens files of its own now and then, which may take a number
        // the rejection freed.
        List<OpenFds.Fd> offered = sent.stream().map((fd) -> OpenFds.describe(fd).orElseThrow()).toList();
        MessageAdmission.Rejection rejection = catchThrowableOfType(MessageAdmission.Rejection.class,
                () -> admitted.add(admission.admit(message, ME).buffer()));

        assertThat(rejection).as("a rejection").isNotNull();
        assertThat(rejection.reason).isEqualTo(reason);
        for (OpenFds.Fd fd : offered) {
            assertThat(OpenFds.isOpen(fd)).as("%s of the rejected message was closed", fd).isFalse();
        }
    }

    /** A memfd made as a peer would make it, outside the library, with this content size and these seals. */
    private int memfd(String name, int size, Seal... seals) {
        int fd = TestLibc.memfd_create(name, MFD_ALLOW_SEALING);
        TestLibc.ftruncate(fd, size);
        if (seals.length > 0) {
            TestLibc.fcntl(fd, TestLibc.F_ADD_SEALS, Seal.toBits(Set.of(seals)));
        }
        sent.add(fd);
        return fd;
    }

    private static SocketMessages.Received message(byte[] payload, int... fds) {
        return new SocketMessages.Received(payload, fds(fds), false, false);
    }

    private static List<FdHandle> fds(int... fds) {
        List<FdHandle> handles = new ArrayList<>();
        for (int fd : fds) {
            handles.add(new FdHandle(fd));
        }
        return handles;
    }
}
