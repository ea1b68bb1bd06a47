package io.memfd.spring.web.servlet;

/** {@link MemFdWebMvcSilentUploadTests} on Jetty. */
class MemFdWebMvcJettySilentUploadTests extends MemFdWebMvcSilentUploadTests implements RunsOnJetty {
}
