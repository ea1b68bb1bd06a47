package io.memfd.spring.autoconfigure;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;

/**
 * Java 24 and later warn when JNA loads its native library unless native access is enabled for JNA's module (JEP 472),
 * and a later Java will refuse it. The JVM's warning names the command-line flag only; an executable jar needs a
 * manifest entry instead. This says both, once per JVM, as the JVM's warning comes once.
 */
final class NativeAccess {

    static final String ADVICE = "JNA, which memfd support uses, has no native access: Java %d warns about it at"
            + " start-up and a later Java will refuse it. Enable it with Enable-Native-Access: ALL-UNNAMED in the"
            + " executable jar's manifest (for java -jar) or with --enable-native-access=ALL-UNNAMED";

    private static final AtomicBoolean logged = new AtomicBoolean();

    private NativeAccess() {
    }

    /**
     * Logs {@link #ADVICE} at WARN the first time it is called in a JVM where JNA lacks native access. Call it before
     * JNA's first use: in warn mode the JVM grants native access to the module it has just warned about.
     */
    static void adviseIfRestricted(Log logger) {
        if (isRestricted() && logged.compareAndSet(false, true)) {
            logger.warn(String.format(ADVICE, Runtime.version().feature()));
        }
    }

    private static boolean isRestricted() {
        if (Runtime.version().feature() < 24) {
            return false;
        }
        try {
            // Module.isNativeAccessEnabled() is public API since Java 22; this code is compiled for Java 17.
            MethodHandle enabled = MethodHandles.publicLookup()
                .findVirtual(Module.class, "isNativeAccessEnabled", MethodType.methodType(boolean.class));
            Class<?> jna = Class.forName("com.sun.jna.Native", false, NativeAccess.class.getClassLoader());
            return !(boolean) enabled.invoke(jna.getModule());
        } catch (Throwable e) {
            // Not expected on Java 24+ with JNA present; advice is never worth failing start-up for.
            return false;
        }
    }
}
