package io.memfd.benchmarks;

import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeCalls;

/** {@link NativeCallsBenchmark} through the Foreign Function &amp; Memory API (Java 22+, profile ffm). */
public class FfmCallsBenchmark extends NativeCallsBenchmark {

    @Override
    protected NativeCalls calls() {
        return NativeBackend.ffm().orElseThrow(() -> new IllegalStateException("no FFM backend in this runtime/jar"));
    }
}
