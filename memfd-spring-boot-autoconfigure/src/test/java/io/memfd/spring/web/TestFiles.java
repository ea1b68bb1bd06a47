package io.memfd.spring.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

import io.memfd.spring.io.MemFdResource;

/** The test applications' files by name; the tests put resources here and close them. */
public final class TestFiles {

    public final Map<String, MemFdResource> byName = new ConcurrentHashMap<>();

    /** @throws ResponseStatusException 404 when no file has this name */
    public MemFdResource get(String name) {
        MemFdResource resource = this.byName.get(name);
        if (resource == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        return resource;
    }

    public void closeAll() {
        this.byName.values().forEach(MemFdResource::close);
        this.byName.clear();
    }
}
