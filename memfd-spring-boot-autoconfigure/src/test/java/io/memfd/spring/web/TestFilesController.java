package io.memfd.spring.web;

import java.time.Instant;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * What the WebFlux and the Spring MVC test application serve alike: {@link TestFiles} at {@code /files/{name}}, in a
 * response entity with an ETag ({@code "name-1"}) and a Last-Modified date, as a controller usually returns a file.
 */
public abstract class TestFilesController {

    private static final Instant LAST_MODIFIED = Instant.parse("2026-11-01T10:00:00Z");

    protected final TestFiles files;

    @Autowired
    private ResourceLoader resourceLoader;

    protected TestFilesController(TestFiles files) {
        this.files = files;
    }

    @GetMapping("/files/{name}")
    public ResponseEntity<Resource> entity(@PathVariable String name) {
        return ResponseEntity.ok().eTag("\"" + name + "-1\"").lastModified(LAST_MODIFIED).body(this.files.get(name));
    }

    /** The {@code memfd:} location of the name, returned as it is, as {@code @Value("memfd:terms.html")} would be. */
    @GetMapping("/location/{name}")
    public Resource location(@PathVariable String name) {
        return this.resourceLoader.getResource("memfd:" + name);
    }
}
