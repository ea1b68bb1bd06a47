package io.memfd.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A store of sealed blobs over HTTP: each blob is a memfd from the starter's {@code MemFdFactory}, filled by streaming
 * the upload into it, sealed, and served with {@code sendfile}. See {@code /actuator/memfd} for the live buffers.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
