package io.memfd.benchmarks;

import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeCalls;

/** {@link NativeCallsBenchmark} through JNA direct mapping. */
public class JnaCallsBenchmark extends NativeCallsBenchmark {

    @Override
    protected NativeCalls calls() {
        return NativeBackend.jna();
    }
}
