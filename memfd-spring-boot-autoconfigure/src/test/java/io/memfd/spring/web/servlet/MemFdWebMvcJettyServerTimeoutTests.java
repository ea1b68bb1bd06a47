package io.memfd.spring.web.servlet;

/** {@link MemFdWebMvcServerTimeoutTests} on Jetty. */
class MemFdWebMvcJettyServerTimeoutTests extends MemFdWebMvcServerTimeoutTests implements RunsOnJetty {
}
