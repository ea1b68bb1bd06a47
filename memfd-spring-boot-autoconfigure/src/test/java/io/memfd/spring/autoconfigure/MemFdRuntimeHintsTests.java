package io.memfd.spring.autoconfigure;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.sun.jna.Library;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import io.memfd.KernelFeatures;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's hints cover memfd-core as it is: every class of memfd-core with JNA-bound {@code native} methods and
 * every JNA library interface, found by reading memfd-core's classes, so that a binding added there without a hint
 * fails here. (MemFdAotTests checks that a real AOT build records them.)
 */
class MemFdRuntimeHintsTests {

    private final RuntimeHints hints = new RuntimeHints();

    MemFdRuntimeHintsTests() {
        new MemFdRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
    }

    @Test
    void everyClassWithNativeMethodsIsHintedForReflectionAndJni() throws Exception {
        List<String> bound = memfdCoreClasses().stream().filter(MemFdRuntimeHintsTests::declaresNativeMethods)
            .map(Class::getName)
            .toList();
        assertThat(bound).containsExactlyInAnyOrderElementsOf(MemFdRuntimeHints.DIRECT_MAPPED);
        for (Class<?> type : memfdCoreClasses()) {
            for (Method method : type.getDeclaredMethods()) {
                if (Modifier.isNative(method.getModifiers())) {
                    assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(method)).as(method.toString())
                        .accepts(this.hints);
                    assertThat(this.hints.jni().getTypeHint(type)).as(type.getName()).isNotNull();
                }
            }
        }
    }

    @Test
    void everyJnaLibraryInterfaceIsHintedAsAProxy() throws Exception {
        List<Class<?>> libraries = memfdCoreClasses().stream()
            .filter((type) -> type.isInterface() && Library.class.isAssignableFrom(type))
            .toList();
        assertThat(libraries).extracting(Class::getName)
            .containsExactlyInAnyOrderElementsOf(MemFdRuntimeHints.PROXIED);
        for (Class<?> library : libraries) {
            assertThat(RuntimeHintsPredicates.proxies().forInterfaces(library)).accepts(this.hints);
        }
    }

    @Test
    void jnasStubIsHintedForEachArchitectureThatJnaShips() {
        for (String stub : MemFdRuntimeHints.JNA_STUBS) {
            assertThat(getClass().getClassLoader().getResource(stub)).as(stub).isNotNull();
            assertThat(RuntimeHintsPredicates.resource().forResource(stub)).accepts(this.hints);
        }
    }

    private static boolean declaresNativeMethods(Class<?> type) {
        return Arrays.stream(type.getDeclaredMethods()).anyMatch((method) -> Modifier.isNative(method.getModifiers()));
    }

    /** Every class in memfd-core's jar or classes directory, loaded without initialization. */
    private static List<Class<?>> memfdCoreClasses() throws Exception {
        URI location = KernelFeatures.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        Path root = Path.of(location);
        if (Files.isDirectory(root)) {
            return classesUnder(root);
        }
        try (FileSystem jar = FileSystems.newFileSystem(root, Map.of())) {
            return classesUnder(jar.getPath("/"));
        }
    }

    private static List<Class<?>> classesUnder(Path root) throws Exception {
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter((path) -> path.toString().endsWith(".class")).toList()) {
                String relative = root.relativize(file).toString();
                // module-info describes the module and is no class.
                if (!relative.startsWith("META-INF") && !relative.equals("module-info.class")) {
                    String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                    classes.add(Class.forName(name, false, MemFdRuntimeHintsTests.class.getClassLoader()));
                }
            }
        }
        return classes;
    }
}
