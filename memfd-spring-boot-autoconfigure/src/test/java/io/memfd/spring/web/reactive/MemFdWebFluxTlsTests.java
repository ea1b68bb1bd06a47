package io.memfd.spring.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ClassPathResource;

import io.memfd.spring.io.MemFdResources;
import io.memfd.testing.OpenFds;
import io.memfd.spring.web.TestFiles;
import io.memfd.spring.web.RawHttp;

/**
 * Over TLS the JVM must encrypt every byte, so {@code sendfile} cannot work (Netty's TLS handler refuses a file
 * region): the writer copies instead, decided before the headers go out, with the same bytes, ranges and parts.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "server.ssl.certificate=classpath:tls/cert.pem",
                "server.ssl.certificate-private-key=classpath:tls/key.pem" })
@Import(MemFdWebFluxTlsTests.SmallSendBuffer.class)
class MemFdWebFluxTlsTests {

    @LocalServerPort
    private int port;

    @Autowired
    private TestFiles files;

    @Autowired
    private MemFdResources resources;

    @Test
    void overTlsTheBytesAreCopiedCorrectly() throws Exception {
        RawHttp https = new RawHttp(trustingTheTestCertificate().getSocketFactory(), this.port);
        byte[] content = RawHttp.random(1_000_000);
        this.files.byName.put("secret.bin", this.resources.createSealed("secret.bin", content));
        try {
            RawHttp.Response whole = https.get("/files/secret.bin");
            RawHttp.Response range = https.get("/files/secret.bin", "Range", "bytes=100-199");
            RawHttp.Response ranges = https.get("/files/secret.bin", "Range", "bytes=0-9,999990-");

            assertThat(whole.status()).isEqualTo(200);
            assertThat(whole.header("Content-Length")).hasValue("1000000");
            assertThat(whole.body()).isEqualTo(content);
            assertThat(range.status()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));
            List<RawHttp.Part> parts = RawHttp.parts(ranges);
            assertThat(parts.get(0).bytes()).isEqualTo(Arrays.copyOfRange(content, 0, 10));
            assertThat(parts.get(1).bytes()).isEqualTo(Arrays.copyOfRange(content, 999_990, 1_000_000));
        } finally {
            this.files.closeAll();
        }
    }

    /**
     * A client that reads nothing: the server reads from the memfd little more than the connection holds (its send
     * buffer, 64 KiB here, and Netty's high water mark), not the 128 chunks of 64 KiB Reactor Netty asks a body for
     * ahead, encrypted copies besides, which a few dozen such clients made exhaust direct memory. Seen in what this
     * process's read calls return ({@code rchar} in {@code /proc/self/io}), which the copy's reads dominate.
     */
    @Test
    void aClientThatReadsNothingMakesTheServerCopyLittle() throws Exception {
        this.files.byName.put("unread.bin", this.resources.createSealed("unread.bin", new byte[32 << 20]));
        try (Socket client = trustingTheTestCertificate().getSocketFactory().createSocket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress("localhost", this.port));
            long readBefore = bytesReadByThisProcess();
            String request = "GET /files/unread.bin HTTP/1.1\r\nHost: localhost\r\n\r\n";
            client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            await().until(() -> OpenFds.memfdsNamed("unread.bin") == 2);   // the memfd and the response's own
            Thread.sleep(1000);   // time to copy whatever the server would copy ahead

            assertThat(bytesReadByThisProcess() - readBefore).isLessThan(4 << 20);
        } finally {
            this.files.closeAll();
        }
    }

    private static long bytesReadByThisProcess() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/io")).stream()
            .filter((line) -> line.startsWith("rchar: "))
            .mapToLong((line) -> Long.parseLong(line.substring("rchar: ".length())))
            .findFirst()
            .orElseThrow();
    }

    /** Keeps the server's socket send buffer small, so that what it sends ahead is small and known. */
    @TestConfiguration(proxyBeanMethods = false)
    static class SmallSendBuffer {

        @Bean
        NettyServerCustomizer smallSendBuffer() {
            return (server) -> server.childOption(ChannelOption.SO_SNDBUF, 64 * 1024);
        }
    }

    /** The self-signed certificate in src/test/resources/tls (CN and SAN localhost, 127.0.0.1). */
    static SSLContext trustingTheTestCertificate() throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream pem = new ClassPathResource("tls/cert.pem").getInputStream()) {
            trusted.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }
}
