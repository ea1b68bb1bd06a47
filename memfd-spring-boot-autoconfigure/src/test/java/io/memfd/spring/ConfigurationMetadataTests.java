package io.memfd.spring;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.ConfigurationProperties;

import io.memfd.HugePageSize;
import io.memfd.Seal;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata that {@code spring-boot-configuration-processor} generated into this module's jar
 * describes every {@code memfd.*} property, and offers the seal names and huge page sizes for completion.
 */
class ConfigurationMetadataTests {

    private final Object metadata = readMetadata();

    @Test
    void everyPropertyIsDescribed() {
        String prefix = MemFdProperties.class.getAnnotation(ConfigurationProperties.class).value() + ".";
        List<String> expected = Arrays.stream(BeanUtils.getPropertyDescriptors(MemFdProperties.class))
            .filter((property) -> property.getWriteMethod() != null)
            .map((property) -> prefix + dashed(property.getName()))
            .toList();
        assertThat(expected).hasSize(9);
        List<Map<String, Object>> properties = JsonPath.read(this.metadata, "$.properties[*]");
        assertThat(properties).extracting((property) -> property.get("name"))
            .containsExactlyInAnyOrderElementsOf(expected);
        for (Map<String, Object> property : properties) {
            assertThat((String) property.get("description")).as("description of %s", property.get("name"))
                .isNotBlank()
                .endsWith(".");
            assertThat(property.get("sourceType")).isEqualTo(MemFdProperties.class.getName());
        }
    }

    @Test
    void defaultsAreDocumented() {
        assertThat(defaultOf("memfd.max-size")).isEqualTo("64MB");
        assertThat(defaultOf("memfd.max-total-size")).isEqualTo("512MB");
        assertThat(defaultOf("memfd.default-seals")).isEqualTo(List.of("write", "shrink", "grow", "seal"));
        assertThat(defaultOf("memfd.huge-pages")).isEqualTo("none");
        assertThat(defaultOf("memfd.leak-detection")).isEqualTo("report");
        assertThat(defaultOf("memfd.noexec")).isEqualTo(true);
        assertThat(defaultOf("memfd.close-on-exec")).isEqualTo(true);
        assertThat(defaultOf("memfd.name-prefix")).isEqualTo("");
        // Unset means "where memfd works", which no single value says.
        assertThat(JsonPath.<List<Object>>read(this.metadata,
                "$.properties[?(@.name == 'memfd.enabled')].defaultValue")).isEmpty();
    }

    @Test
    void everySealNameIsHinted() {
        List<String> expected = Arrays.stream(Seal.values())
            .map((seal) -> seal.name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .toList();
        assertThat(hintValues("memfd.default-seals")).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyHugePageSizeIsHinted() {
        List<String> expected = new ArrayList<>(List.of("none"));
        Arrays.stream(HugePageSize.values()).map(HugePageSize::toString).forEach(expected::add);
        assertThat(hintValues("memfd.huge-pages")).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyLeakDetectionIsHinted() {
        assertThat(hintValues("memfd.leak-detection")).containsExactlyInAnyOrder("none", "report", "trace");
    }

    private Object defaultOf(String name) {
        List<Object> values = JsonPath.read(this.metadata, "$.properties[?(@.name == '" + name + "')].defaultValue");
        assertThat(values).as("default of %s", name).hasSize(1);
        return values.get(0);
    }

    private List<String> hintValues(String name) {
        return JsonPath.read(this.metadata, "$.hints[?(@.name == '" + name + "')].values[*].value");
    }

    private static String dashed(String camelCase) {
        return camelCase.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** This module's generated file, not the ones in Spring Boot's own jars on the class path. */
    private static Object readMetadata() {
        try {
            Path classes = Path.of(MemFdProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path metadata = classes.resolve("META-INF/spring-configuration-metadata.json");
            try (InputStream in = Files.newInputStream(metadata)) {
                return JsonPath.parse(in).json();
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("Cannot read this module's configuration metadata", e);
        }
    }
}
