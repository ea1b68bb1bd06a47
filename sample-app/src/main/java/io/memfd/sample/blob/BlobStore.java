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
import java.util.stream.Stream;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.MissingSealsException;
import io.memfd.Seal;
import io.memfd.SizeLimitExceededException;
import io.memfd.spring.io.MemFdUpload;
import io.memfd.spring.io.ReactiveMemFdResources;

/**
 * The blobs: sealed memfds from the application's {@link MemFdFactory}, so {@code memfd.max-size} limits each one,
 * {@code memfd.max-total-size} limits them together, and {@code /actuator/memfd} lists them.
 *
 * <p>Blobs arrive two ways, with the same result: {@link #upload} streams an HTTP body into a new sealed memfd with
 * the starter's {@link ReactiveMemFdResources}; {@link #add} takes a memfd that is already sealed, such as one received
 * from another process (nothing is copied). Either way the blob is hashed where it lies.
 */
@Service
public class BlobStore {

    /** Content and size must be permanent, or the size and hash served with a blob could be wrong. */
    public static final Set<Seal> REQUIRED_SEALS = Set.copyOf(EnumSet.of(Seal.WRITE, Seal.SHRINK, Seal.GROW));

    private final MemFdFactory factory;
    private final ReactiveMemFdResources resources;
    private final Map<Long, Blob> blobs = new ConcurrentHashMap<>();

    public BlobStore(MemFdFactory factory, ReactiveMemFdResources resources) {
        if (!factory.defaultSeals().containsAll(REQUIRED_SEALS)) {
            throw new IllegalStateException("memfd.default-seals must include write, shrink and grow, so that an "
                    + "uploaded blob cannot change after it was hashed; it is " + factory.defaultSeals());
        }
        this.factory = factory;
        this.resources = resources;
    }

    /**
     * Streams {@code body} into a new sealed memfd and stores it. While it streams in, {@link #list} shows it as
     * {@code receiving} and {@link #delete} stops it; a client silent for {@code memfd.web.upload-idle-timeout} loses
     * it. Limits and failures leave no memfd behind (the starter's {@link ReactiveMemFdResources} sees to it).
     *
     * @param declaredLength the body's {@code Content-Length}, or -1 when unknown; a body declared too large is refused
     *        before it is read
     */
    public Mono<BlobRecord> upload(String name, long declaredLength, Flux<DataBuffer> body) {
        return Mono.defer(() -> {
            if (name.isBlank()) {
                throw new InvalidBlobNameException("it is blank");
            }
            requireWithinSizeLimit(name, declaredLength);
            return this.resources.createSealed(name, body)
                .onErrorMap(IllegalArgumentException.class, (e) -> new InvalidBlobNameException(e.getMessage()))
                .map((resource) -> add(name, resource.getMemFd()));
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
            BlobRecord record = new BlobRecord(memfd.info().id(), name, memfd.size(), seals,
                    HexFormat.of().formatHex(sha256(memfd)), BlobRecord.STORED);
            this.blobs.put(record.id(), new Blob(memfd, record));
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

    /** Every blob, stored or still being received, oldest first. */
    public List<BlobRecord> list() {
        Stream<BlobRecord> receiving = this.resources.uploads().inProgress().stream().map(this::receiving);
        return Stream.concat(this.blobs.values().stream().map(Blob::record), receiving)
            .sorted(Comparator.comparingLong(BlobRecord::id))
            .toList();
    }

    /**
     * Removes the blob and closes its memfd; downloads in flight keep the descriptors they opened and finish. A blob
     * still being received is dropped: its upload fails with 409 and its memfd is closed.
     *
     * @throws BlobNotFoundException if no blob has this id
     */
    public void delete(long id) {
        Blob blob = this.blobs.remove(id);
        if (blob != null) {
            blob.close();
        } else if (!this.resources.uploads().cancel(id)) {
            throw new BlobNotFoundException(id);
        }
    }

    private BlobRecord receiving(MemFdUpload upload) {
        String name = upload.name().substring(this.factory.namePrefix().length());
        return new BlobRecord(upload.id(), name, upload.receivedBytes(), Set.of(), null, BlobRecord.RECEIVING);
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

    private static byte[] sha256(MemFd memfd) {
        MessageDigest digest = newSha256();
        // On the heap: a direct buffer per blob would hold native memory until a collection happens to free it.
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
}
