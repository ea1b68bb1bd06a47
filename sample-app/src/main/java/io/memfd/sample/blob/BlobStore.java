package io.memfd.sample.blob;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.MissingSealsException;
import io.memfd.Seal;
import io.memfd.SizeLimitExceededException;

/**
 * The blobs: sealed memfds from the application's {@link MemFdFactory}, so {@code memfd.max-size} limits each one,
 * {@code memfd.max-total-size} limits them together, and {@code /actuator/memfd} lists them.
 *
 * <p>Blobs arrive two ways, with the same result: {@link #upload} streams an HTTP body into a new memfd and seals it;
 * {@link #add} takes a memfd that is already sealed, such as one received from another process (nothing is copied).
 */
@Service
public class BlobStore {

    /** Content and size must be permanent, or the size and hash served with a blob could be wrong. */
    public static final Set<Seal> REQUIRED_SEALS = Set.copyOf(EnumSet.of(Seal.WRITE, Seal.SHRINK, Seal.GROW));

    private final MemFdFactory factory;
    private final Map<Long, Blob> blobs = new ConcurrentHashMap<>();

    public BlobStore(MemFdFactory factory) {
        if (!factory.defaultSeals().containsAll(REQUIRED_SEALS)) {
            throw new IllegalStateException("memfd.default-seals must include write, shrink and grow, so that an "
                    + "uploaded blob cannot change after it was hashed; it is " + factory.defaultSeals());
        }
        this.factory = factory;
    }

    /**
     * Streams {@code body} into a new memfd, hashing it on the way, then seals it with the factory's default seals.
     * Each buffer is written where the previous one ended and released at once, so the body is never held whole on
     * the heap; a direct buffer (Netty's) is written without a copy.
     *
     * @param declaredLength the body's {@code Content-Length}, or -1 when unknown; a body declared too large is refused
     *        before it is read
     * @return the new blob's record; fails with {@link SizeLimitExceededException} or
     *         {@link io.memfd.BudgetExceededException} when a limit is passed, leaving no memfd behind
     */
    public Mono<BlobRecord> upload(String name, long declaredLength, Flux<DataBuffer> body) {
        return Mono.defer(() -> {
            requireWithinSizeLimit(name, declaredLength);
            Upload upload = new Upload(name, create(name));
            return body.doOnNext(upload::write)
                .then(Mono.fromCallable(upload::finish))
                .doOnError(e -> upload.abort())
                .doOnCancel(upload::abort);
        });
    }

    /**
     * Stores a memfd that is already sealed against writing, shrinking and growing, e.g. one that another process
     * handed over: it is hashed where it lies, never copied. The store takes ownership and closes the memfd if it
     * refuses it.
     *
     * @param name the blob's name, held to the rules of memfd names (at most 249 bytes, no control character), as
     *        it comes from another process and ends up in listings and logs
     * @throws InvalidBlobNameException if the name is blank or breaks those rules
     * @throws MissingSealsException if write, shrink or grow is not sealed
     */
    public BlobRecord add(String name, MemFd memfd) {
        try {
            checkName(name);
            EnumSet<Seal> seals = memfd.seals();
            if (!seals.containsAll(REQUIRED_SEALS)) {
                throw new MissingSealsException("store as a blob", memfd.name(), -1, REQUIRED_SEALS, seals);
            }
            BlobRecord record = record(name, memfd, sha256(memfd));
            store(memfd, record);
            return record;
        } catch (RuntimeException e) {
            memfd.close();
            throw e;
        }
    }

    /** @throws BlobNotFoundException if no blob has this id */
    public Blob get(long id) {
        Blob blob = this.blobs.get(id);
        if (blob == null) {
            throw new BlobNotFoundException(id);
        }
        return blob;
    }

    /** Every blob, oldest first. */
    public List<BlobRecord> list() {
        return this.blobs.values().stream().map(Blob::record).sorted(Comparator.comparingLong(BlobRecord::id)).toList();
    }

    /**
     * Removes the blob and closes its memfd. Downloads in flight keep the channels they opened and finish.
     *
     * @throws BlobNotFoundException if no blob has this id
     */
    public void delete(long id) {
        Blob blob = this.blobs.remove(id);
        if (blob == null) {
            throw new BlobNotFoundException(id);
        }
        blob.close();
    }

    private MemFd create(String name) {
        if (name.isBlank()) {
            throw new InvalidBlobNameException("it is blank");
        }
        try {
            return this.factory.create(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidBlobNameException(e.getMessage());
        }
    }

    private static void checkName(String name) {
        if (name.isBlank()) {
            throw new InvalidBlobNameException("it is blank");
        }
        try {
            MemFd.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidBlobNameException(e.getMessage());
        }
    }

    private void requireWithinSizeLimit(String name, long declaredLength) {
        long limit = this.factory.registry().maxSize().orElse(Long.MAX_VALUE);
        if (declaredLength > limit) {
            throw new SizeLimitExceededException("upload", name, -1, limit, declaredLength);
        }
    }

    private static BlobRecord record(String name, MemFd memfd, byte[] sha256) {
        return new BlobRecord(memfd.info().id(), name, memfd.size(), memfd.seals(), HexFormat.of().formatHex(sha256));
    }

    private void store(MemFd memfd, BlobRecord record) {
        this.blobs.put(record.id(), new Blob(memfd, record));
    }

    private static byte[] sha256(MemFd memfd) {
        MessageDigest digest = newSha256();
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long position = 0;
        for (int read = memfd.read(position, chunk); read >= 0; read = memfd.read(position, chunk.clear())) {
            digest.update(chunk.flip());
            position += read;
        }
        return digest.digest();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
    }

    /** One body being streamed into a memfd: the running position and hash. */
    private final class Upload {

        private final String name;
        private final MemFd memfd;
        private final MessageDigest digest = newSha256();
        /** Set once, by whichever comes first: storing the blob, or abandoning it. */
        private final AtomicBoolean settled = new AtomicBoolean();
        private long position;

        Upload(String name, MemFd memfd) {
            this.name = name;
            this.memfd = memfd;
        }

        /** Writes and releases one buffer; Reactor delivers them one at a time, in order. */
        void write(DataBuffer buffer) {
            try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
                while (chunks.hasNext()) {
                    ByteBuffer chunk = chunks.next();
                    this.digest.update(chunk.duplicate());
                    this.position += this.memfd.write(this.position, chunk);
                }
            } finally {
                DataBufferUtils.release(buffer);
            }
        }

        BlobRecord finish() {
            BlobStore.this.factory.seal(this.memfd);
            BlobRecord record = record(this.name, this.memfd, this.digest.digest());
            if (!this.settled.compareAndSet(false, true)) {
                throw new IllegalStateException("The upload of '" + this.name + "' was abandoned");
            }
            store(this.memfd, record);
            return record;
        }

        /** After a failure or a cancelled request: a half-written memfd must not outlive the request. */
        void abort() {
            if (this.settled.compareAndSet(false, true)) {
                this.memfd.close();
            }
        }
    }
}
