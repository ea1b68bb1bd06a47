package io.memfd.spring.web.reactive;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.ReactiveMemFdResources;
import io.memfd.spring.web.TestFiles;
import io.memfd.spring.web.TestFilesController;

/** A WebFlux application as a user writes one: ordinary controllers that return and take memfd resources. */
@SpringBootConfiguration
@EnableAutoConfiguration
class FluxApplication {

    @Bean
    TestFiles files() {
        return new TestFiles();
    }

    @Bean
    RouterFunction<ServerResponse> functionalEndpoint(TestFiles files) {
        return RouterFunctions.route().GET("/fn/{name}",
                (request) -> ServerResponse.ok().bodyValue(files.get(request.pathVariable("name")))).build();
    }

    /** A member class, so the configuration registers it. */
    @RestController
    static class FilesController extends TestFilesController {

        private final ReactiveMemFdResources resources;

        FilesController(TestFiles files, ReactiveMemFdResources resources) {
            super(files);
            this.resources = resources;
        }

        @GetMapping("/direct/{name}")
        MemFdResource direct(@PathVariable String name) {
            return this.files.get(name);
        }

        @GetMapping("/mono/{name}")
        Mono<Resource> mono(@PathVariable String name) {
            return Mono.fromSupplier(() -> this.files.get(name));
        }

        /** The same bytes from the heap, Spring's own way: the copying peer of the zero-copy tests. */
        @GetMapping("/bytes/{name}")
        ResponseEntity<Resource> bytes(@PathVariable String name) throws java.io.IOException {
            return ResponseEntity.ok().body(new ByteArrayResource(this.files.get(name).getContentAsByteArray()));
        }

        @PostMapping("/files/{name}")
        Mono<ResponseEntity<String>> upload(@PathVariable String name, ServerHttpRequest request) {
            return this.resources.createSealed(name, request.getBody()).map((resource) -> {
                this.files.byName.put(name, resource);
                return ResponseEntity.status(HttpStatus.CREATED).body(String.valueOf(resource.getMemFd().size()));
            });
        }

        /** Serves the uploaded file straight back, with what the part was as headers. */
        @PostMapping("/parts")
        ResponseEntity<Resource> part(@RequestPart("file") FilePart file, @RequestPart("note") FormFieldPart note) {
            Resource content = (file instanceof MemFdFilePart memfd) ? memfd.resource() : null;
            return ResponseEntity.ok().header("X-Part", file.getClass().getSimpleName())
                .header("X-Filename", file.filename()).header("X-Note", note.value()).body(content);
        }
    }
}
