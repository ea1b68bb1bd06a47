package io.memfd.sample.ipc;

import java.util.Map;

import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.memfd.MemFdException;
import io.memfd.ipc.MemFdHandler;
import io.memfd.ipc.MemFdRequest;
import io.memfd.sample.blob.BlobRecord;
import io.memfd.sample.blob.BlobStore;
import io.memfd.sample.blob.InvalidBlobNameException;

/**
 * Blobs from other processes. The starter's Unix-socket server ({@code memfd.ipc.server.*}) has already checked that
 * the message carries a memfd sealed against writing, shrinking and growing, within the size limit; this handler
 * reads the JSON header {@code {"name": "..."}}, stores the memfd as it is (its bytes are never copied) and answers
 * with the same JSON as {@code POST /blobs}, or {@code {"error": "..."}}: the name is another process's, so it is held
 * to the rules of memfd names (at most 249 bytes, no control character) before it reaches the store's listing. See
 * {@code send_memfd.py} for a sender.
 */
@Component
public class BlobHandoffHandler implements MemFdHandler {

    private final BlobStore store;
    private final JsonMapper json;

    public BlobHandoffHandler(BlobStore store, JsonMapper json) {
        this.store = store;
        this.json = json;
    }

    @Override
    public byte[] handle(MemFdRequest request) {
        String name = nameIn(request.header());
        if (name == null) {
            // The server closes the buffer, since the handler did not keep it.
            return error("the header must be JSON with a non-blank name, like {\"name\": \"report.pdf\"}");
        }
        try {
            BlobRecord record = this.store.add(name, request.keepBuffer());
            return this.json.writeValueAsBytes(record);
        } catch (MemFdException e) {
            // The store closed the memfd it refused.
            return error(e.getMessage());
        } catch (InvalidBlobNameException e) {
            return error(e.getBody().getDetail());
        }
    }

    /** The header's non-blank {@code name}, or {@code null} when the header has none or is not JSON. */
    private String nameIn(byte[] header) {
        try {
            JsonNode name = this.json.readTree(header).get("name");
            return name != null && name.isString() && !name.asString().isBlank() ? name.asString() : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private byte[] error(String message) {
        return this.json.writeValueAsBytes(Map.of("error", message));
    }
}
