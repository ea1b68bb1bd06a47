import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two sides, A and B, each a memfd-core jar and one of {@code io.memfd.Sequences}' sequences, in one JVM: each jar in
 * a class loader of its own, the sides alternating in short slices (the order swapped every round) after a shared
 * warm-up. B/A per round compares figures taken within a second of each other in one process, so the machine's drift
 * from minute to minute, which moves a figure by tens of percent here, mostly cancels; an A/A run shows the harness's
 * own spread. Run by {@code bench/ab/run.sh}.
 *
 * <pre>AbBench JAR_A CLASSES_A SEQUENCE_A JAR_B CLASSES_B SEQUENCE_B ROUNDS SLICE_MILLIS WARMUP_SECONDS</pre>
 */
public final class AbBench {

    private AbBench() {
    }

    public static void main(String[] args) throws Throwable {
        MethodHandle a = side(args[0], args[1]);
        MethodHandle b = side(args[3], args[4]);
        String sequenceA = args[2];
        String sequenceB = args[5];
        int rounds = Integer.parseInt(args[6]);
        long slice = Long.parseLong(args[7]);
        long warmupEnd = System.nanoTime() + Long.parseLong(args[8]) * 1_000_000_000L;
        while (System.nanoTime() < warmupEnd) {
            double unused = (double) a.invokeExact(sequenceA, slice) + (double) b.invokeExact(sequenceB, slice);
        }
        double[] ratios = new double[rounds];
        System.out.println("round\tA_ns\tB_ns\tB/A");
        for (int round = 0; round < rounds; round++) {
            double nanosA;
            double nanosB;
            if (round % 2 == 0) {
                nanosA = (double) a.invokeExact(sequenceA, slice);
                nanosB = (double) b.invokeExact(sequenceB, slice);
            } else {
                nanosB = (double) b.invokeExact(sequenceB, slice);
                nanosA = (double) a.invokeExact(sequenceA, slice);
            }
            ratios[round] = nanosB / nanosA;
            System.out.printf("%d\t%.0f\t%.0f\t%.3f%n", round + 1, nanosA, nanosB, ratios[round]);
        }
        Arrays.sort(ratios);
        System.out.printf("B (%s) / A (%s): median %.3f, quartiles %.3f-%.3f, range %.3f-%.3f over %d rounds%n",
                sequenceB, sequenceA, ratios[rounds / 2], ratios[rounds / 4], ratios[3 * rounds / 4], ratios[0],
                ratios[rounds - 1], rounds);
    }

    private static MethodHandle side(String jar, String classes) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] { Path.of(jar).toUri().toURL(),
            Path.of(classes).toUri().toURL() }, ClassLoader.getPlatformClassLoader());
        return MethodHandles.publicLookup().findStatic(loader.loadClass("io.memfd.Sequences"), "run",
                MethodType.methodType(double.class, String.class, long.class));
    }
}
