package io.memfd.spring.web;

import java.io.FileNotFoundException;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.NamedMemFdResource;

/**
 * The buffer one response of a {@code memfd:} location is made of, on WebFlux and Spring MVC alike: resolved once, so
 * that its length and its bytes agree; no buffer of the name is a 404, as for a {@code MemFdResource} closed before
 * its response began.
 */
public final class MemFdLocations {

    private MemFdLocations() {
    }

    /**
     * The buffer that has the name now.
     *
     * @throws ResponseStatusException (404) if none has
     */
    public static MemFdResource resolve(NamedMemFdResource location) {
        try {
            return location.resolve();
        } catch (FileNotFoundException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, e.getMessage(), e);
        }
    }
}
