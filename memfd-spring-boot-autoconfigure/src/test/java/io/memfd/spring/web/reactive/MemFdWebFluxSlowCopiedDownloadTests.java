package io.memfd.spring.web.reactive;

import java.net.Socket;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

/**
 * {@link MemFdWebFluxSlowDownloadTests} through the writer's copying path, over TLS: no file region is sent, and what
 * counts is what was read into buffers for the connection.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "memfd.web.serving.idle-timeout=3s",
            "memfd.web.serving.minimum-rate=64KB", "server.ssl.certificate=classpath:tls/cert.pem",
            "server.ssl.certificate-private-key=classpath:tls/key.pem" })
@Import(MemFdWebFluxSlowDownloadTests.SmallSendBuffer.class)
class MemFdWebFluxSlowCopiedDownloadTests extends MemFdWebFluxSlowDownloadTests {

    @Override
    Socket newSocket() throws Exception {
        return MemFdWebFluxTlsTests.trustingTheTestCertificate().getSocketFactory().createSocket();
    }
}
