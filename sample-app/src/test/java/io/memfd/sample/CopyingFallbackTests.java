package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;

/**
 * Over TLS a Netty {@code FileRegion} cannot pass (the bytes must be encrypted in the JVM), so downloads take the
 * copying path: the same bytes, ranges and parts.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.ssl.certificate=classpath:tls/cert.pem", "server.ssl.certificate-private-key=classpath:tls/key.pem" })
class CopyingFallbackTests {

    @LocalServerPort
    private int port;

    @Test
    void downloadsOverTlsGiveTheSameBytes() throws Exception {
        BlobHttp https = new BlobHttp(trustingTheTestCertificate(), this.port);
        byte[] content = AbstractBlobAppTests.random(300_000);
        long id = https.created("encrypted", content).read("$.id", Long.class);

        HttpResponse<byte[]> whole = https.get("/blobs/" + id);
        HttpResponse<byte[]> range = https.get("/blobs/" + id, "Range", "bytes=100-199");
        HttpResponse<byte[]> ranges = https.get("/blobs/" + id, "Range", "bytes=0-9,299990-");

        assertThat(whole.body()).isEqualTo(content);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(AbstractBlobAppTests.slice(content, 100, 200));
        List<BlobHttp.Part> parts = BlobHttp.parts(ranges);
        assertThat(parts.get(0).bytes()).isEqualTo(AbstractBlobAppTests.slice(content, 0, 10));
        assertThat(parts.get(1).bytes()).isEqualTo(AbstractBlobAppTests.slice(content, 299_990, 300_000));
        assertThat(https.delete("/blobs/" + id).statusCode()).isEqualTo(204);
    }

    /** The self-signed certificate in src/test/resources/tls (CN and SAN localhost, 127.0.0.1). */
    private static HttpClient trustingTheTestCertificate() throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream pem = new ClassPathResource("tls/cert.pem").getInputStream()) {
            trusted.setCertificateEntry("sample-app", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).build();
    }

}
