package io.memfd.sample;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.nio.charset.StandardCharsets;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;

@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    @Bean
    ApplicationRunner greet(MemFdFactory memfds) {
        return args -> {
            byte[] hello = "hello from a sealed memfd\n".getBytes(StandardCharsets.UTF_8);
            try (MemFd greeting = memfds.createSealed("greeting", hello)) {
                System.out.print(new String(greeting.readAllBytes(), StandardCharsets.UTF_8));
                System.out.println("seals: " + greeting.seals() + ", path: " + greeting.procPath());
            }
        };
    }
}
