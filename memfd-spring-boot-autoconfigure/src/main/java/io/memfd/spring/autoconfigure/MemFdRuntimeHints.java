package io.memfd.spring.autoconfigure;

import java.util.List;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What memfd-core needs at run time that a native image cannot see by static analysis. On its JNA backend (Java 17 to
 * 21, or {@code -Dio.memfd.native=jna}) memfd-core binds the C library with JNA: JNA loads its native stub from a
 * resource of its jar, registers the {@code native} methods of memfd-core's one JNA binding class by reflection and
 * JNI ({@code Native.register}), and calls {@code syscall} through a JDK proxy. Its FFM backend (Java 22+) makes
 * downcall handles, which these hints do not cover. Spring Boot registers what configuration properties and Actuator
 * endpoints need by itself. Native images are untested (see README): these hints keep a native-image build from being
 * blocked by the starter, no more.
 */
class MemFdRuntimeHints implements RuntimeHintsRegistrar {

    /** JNA's stub for each architecture this library supports. */
    static final List<String> JNA_STUBS = List.of("com/sun/jna/linux-x86-64/libjnidispatch.so",
            "com/sun/jna/linux-aarch64/libjnidispatch.so");

    /** memfd-core's classes with {@code native} methods bound by {@code Native.register}. */
    static final List<String> DIRECT_MAPPED = List.of("io.memfd.internal.JnaCalls$C",
            "io.memfd.internal.JnaCalls$MemfdCreateSymbol");

    /** memfd-core's JNA library interfaces, which {@code Native.load} implements with a JDK proxy. */
    static final List<String> PROXIED = List.of("io.memfd.internal.JnaCalls$Syscall$SyscallLibrary");

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        JNA_STUBS.forEach(hints.resources()::registerPattern);
        for (String type : DIRECT_MAPPED) {
            hints.reflection().registerType(TypeReference.of(type), MemberCategory.INVOKE_DECLARED_METHODS);
            hints.jni().registerType(TypeReference.of(type), MemberCategory.INVOKE_DECLARED_METHODS);
        }
        for (String type : PROXIED) {
            hints.proxies().registerJdkProxy(TypeReference.of(type));
            hints.reflection().registerType(TypeReference.of(type), MemberCategory.INVOKE_PUBLIC_METHODS);
        }
    }
}
