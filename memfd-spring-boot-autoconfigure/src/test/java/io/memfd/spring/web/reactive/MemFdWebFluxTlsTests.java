package io.memfd.spring.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;

import io.memfd.spring.io.MemFdResources;
import io.memfd.spring.web.TestFiles;
import io.memfd.spring.web.RawHttp;

/**
 * Over TLS the JVM must encrypt every byte, so {@code sendfile} cannot work (Netty's TLS handler refuses a file
 * region): the writer copies instead, decided before the headers go out, with the same bytes, ranges and parts.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "server.ssl.certificate=classpath:tls/cert.pem",
                "server.ssl.certificate-private-key=classpath:tls/key.pem" })
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

    /** The self-signed certificate in src/test/resources/tls (CN and SAN localhost, 127.0.0.1). */
    private static SSLContext trustingTheTestCertificate() throws Exception {
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
