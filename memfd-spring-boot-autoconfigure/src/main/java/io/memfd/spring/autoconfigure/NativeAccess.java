package io.memfd.spring.autoconfigure;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;

import io.memfd.KernelFeatures;

/**
 * Java 24 and later warn when memfd-core first calls the kernel unless native access is enabled for the module that
 * calls it (JEP 472), and a later Java will refuse it: memfd-core's own module on its FFM backend (Java 22+), JNA's
 * where JNA is used. The JVM's warning names the command-line flag only; an executable jar needs a manifest entry
 * instead. This says both, once per JVM, as the JVM's warning comes once.
 */
final class NativeAccess {

    static final String ADVICE = "memfd support calls the kernel through %s without native access: Java %d warns"
            + " about it at start-up (or refuses it, with --illegal-native-access=deny) and a later Java will refuse"
            + " it. Enable it with Enable-Native-Access: ALL-UNNAMED"
            + " in the executable jar's manifest (for java -jar) or with --enable-native-access=ALL-UNNAMED"
            + " (--enable-native-access=%s on the module path)";

    private static final String FFM = "the Foreign Function & Memory API";

    private static final AtomicBoolean logged = new AtomicBoolean();

    private NativeAccess() {
    }

    /**
     * Logs {@link #ADVICE} at WARN the first time it is called in a JVM where JNA lacks native access. Call it before
     * JNA's first use: in warn mode the JVM grants native access to the module it has just warned about.
     */
    static void adviseIfRestricted(Log logger) {
        if (Runtime.version().feature() < 24) {
            return;
        }
        boolean ffm = usesFfm();
        if (isRestricted(ffm) && logged.compareAndSet(false, true)) {
            logger.warn(String.format(ADVICE, ffm ? FFM : "JNA", Runtime.version().feature(),
                    ffm ? "io.memfd.core" : "com.sun.jna"));
        }
    }

    /**
     * Whether memfd-core will call the kernel through FFM: on Java 22+ (which the caller checked) unless JNA is forced
     * or its jar lacks the FFM part. Told without starting the backend, since its first restricted call already
     * warns, and without loading a JNA class, which the FFM path never does.
     */
    private static boolean usesFfm() {
        return !"jna".equalsIgnoreCase(System.getProperty("io.memfd.native", "").trim())
                && KernelFeatures.class.getClassLoader().getResource("io/memfd/internal/FfmCalls.class") != null;
    }

    private static boolean isRestricted(boolean ffm) {
        try {
            // Module.isNativeAccessEnabled() is public API since Java 22; this code is compiled for Java 17.
            MethodHandle enabled = MethodHandles.publicLookup()
                .findVirtual(Module.class, "isNativeAccessEnabled", MethodType.methodType(boolean.class));
            Module caller = ffm ? KernelFeatures.class.getModule()
                    : Class.forName("com.sun.jna.Native", false, NativeAccess.class.getClassLoader()).getModule();
            return !(boolean) enabled.invoke(caller);
        } catch (Throwable e) {
            // Not expected on Java 24+ with memfd-core's backend present; advice is never worth failing start-up for.
            return false;
        }
    }
}
