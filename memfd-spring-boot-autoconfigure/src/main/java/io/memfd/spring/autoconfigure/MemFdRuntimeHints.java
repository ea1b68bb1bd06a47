package io.memfd.spring.autoconfigure;

import java.util.List;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What memfd-core needs at run time that a native image cannot see by static analysis. memfd-core binds the C library
 * with JNA: JNA loads its native stub from a resource of its jar, registers each binding class's {@code native}
 * methods by reflection and JNI ({@code Native.register}), and calls {@code syscall} through a JDK proxy. Spring Boot
 * registers what configuration properties and Actuator endpoints need by itself. Native images are untested (see
 * README): these hints keep a native-image build from being blocked by the starter, no more.
 */
class MemFdRuntimeHints implements RuntimeHintsRegistrar {

    /** JNA's stub for each architecture this library supports. */
    static final List<String> JNA_STUBS = List.of("com/sun/jna/linux-x86-64/libjnidispatch.so",
            "com/sun/jna/linux-aarch64/libjnidispatch.so");

    /** memfd-core's classes with {@code native} methods bound by {@code Native.register}. */
    static final List<String> DIRECT_MAPPED = List.of("io.memfd.DescriptorLimit", "io.memfd.Fcntl", "io.memfd.FileIo",
            "io.memfd.FileStatus", "io.memfd.MemfdCreate$LibcSymbol", "io.memfd.ProcFdLink",
            "io.memfd.internal.FdHandle", "io.memfd.internal.JnaCalls$C",
            "io.memfd.internal.JnaCalls$MemfdCreateSymbol", "io.memfd.internal.ProcFdDirectory",
            "io.memfd.internal.Statx", "io.memfd.ipc.Poll", "io.memfd.ipc.SocketMessages", "io.memfd.ipc.UnixSockets");

    /** memfd-core's JNA library interfaces, which {@code Native.load} implements with a JDK proxy. */
    static final List<String> PROXIED = List.of("io.memfd.internal.JnaCalls$Syscall$SyscallLibrary",
            "io.memfd.MemfdCreate$Syscall$SyscallLibrary");

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
        // A failing call with "throws LastErrorException" gets it from JNA's native code, built through JNI.
        hints.jni().registerType(TypeReference.of("com.sun.jna.LastErrorException"),
                MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
    }
}
