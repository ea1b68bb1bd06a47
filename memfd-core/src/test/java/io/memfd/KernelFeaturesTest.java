package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The probe's findings agree with what the kernel version and sysfs say. */
class KernelFeaturesTest {

    @Test
    void probeFindsWhatThisKernelVersionOffers() {
        KernelFeatures features = KernelFeatures.detect();

        assertThat(features.available()).isTrue();
        assertThat(features.problem()).isNull();
        assertThat(features.nativeCallsAvailable()).isTrue();
        assertThat(features.noexecSeal()).isEqualTo(kernelAtLeast(6, 3));
        assertThat(features.futureWriteSeal()).isEqualTo(kernelAtLeast(5, 1));
        assertThat(features.hugePageSizes().contains(HugePageSize.HUGE_2MB))
                .isEqualTo(Files.isDirectory(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB")));
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] version = System.getProperty("os.version").split("[.-]");
        int actualMajor = Integer.parseInt(version[0]);
        int actualMinor = Integer.parseInt(version[1]);
        return actualMajor > major || (actualMajor == major && actualMinor >= minor);
    }
}
