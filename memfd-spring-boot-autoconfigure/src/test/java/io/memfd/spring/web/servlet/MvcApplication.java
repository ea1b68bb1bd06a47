package io.memfd.spring.web.servlet;

import java.io.IOException;
import java.nio.file.Path;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.ShallowEtagHeaderFilter;

import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.MemFdResources;
import io.memfd.spring.web.TestFiles;
import io.memfd.spring.web.TestFilesController;

/** A Spring MVC application as a user writes one: ordinary controllers that return and take memfd resources. */
@SpringBootConfiguration
@EnableAutoConfiguration
class MvcApplication {

    @Bean
    TestFiles files() {
        return new TestFiles();
    }

    /** Spring's ETag filter, which wraps the response to see every byte, on /etag/* only. */
    @Bean
    FilterRegistrationBean<ShallowEtagHeaderFilter> etagFilter() {
        FilterRegistrationBean<ShallowEtagHeaderFilter> registration =
                new FilterRegistrationBean<>(new ShallowEtagHeaderFilter());
        registration.addUrlPatterns("/etag/*");
        return registration;
    }

    /** A member class, so the configuration registers it. */
    @RestController
    static class FilesController extends TestFilesController {

        private final MemFdResources resources;

        FilesController(TestFiles files, MemFdResources resources) {
            super(files);
            this.resources = resources;
        }

        @GetMapping({ "/direct/{name}", "/etag/{name}" })
        MemFdResource direct(@PathVariable String name) {
            return this.files.get(name);
        }

        /** The same bytes from a /dev/shm file, Spring's own way: the peer of the tests that count write calls. */
        @GetMapping("/shm/{name}")
        ResponseEntity<Resource> shm(@PathVariable String name) throws IOException {
            Path file = Path.of("/dev/shm", "memfd-mvc-test-" + ProcessHandle.current().pid() + "-" + name);
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.write(file, this.files.get(name).getContentAsByteArray());
                file.toFile().deleteOnExit();
            }
            return ResponseEntity.ok().body(new FileSystemResource(file));
        }

        @PostMapping("/files/{name}")
        ResponseEntity<String> upload(@PathVariable String name, HttpServletRequest request) throws IOException {
            MemFdResource resource = this.resources.createSealed(name, request.getInputStream());
            this.files.byName.put(name, resource);
            return ResponseEntity.status(HttpStatus.CREATED).body(String.valueOf(resource.contentLength()));
        }
    }
}
