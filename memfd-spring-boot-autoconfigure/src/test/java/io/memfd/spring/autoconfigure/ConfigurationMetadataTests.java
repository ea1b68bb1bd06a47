package io.memfd.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanUtils;

import io.memfd.HugePageSize;
import io.memfd.Seal;
import io.memfd.spring.autoconfigure.ipc.MemFdIpcProperties;
import io.memfd.spring.autoconfigure.web.MemFdWebProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata that {@code spring-boot-configuration-processor} generated into this module's jar
 * describes every {@code memfd.*} property ({@code memfd.ipc.*} included), and offers the seal names and huge page
 * sizes for completion.
 */
class ConfigurationMetadataTests {

    private final Object metadata = readMetadata();

    @Test
    void everyPropertyIsDescribed() {
        Map<String, Class<?>> expected = new LinkedHashMap<>();
        expected.putAll(properties(MemFdProperties.class, "memfd."));
        expected.putAll(properties(MemFdIpcProperties.Server.class, "memfd.ipc.server."));
        expected.putAll(properties(MemFdIpcProperties.Client.class, "memfd.ipc.client."));
        expected.putAll(properties(MemFdWebProperties.class, "memfd.web."));
        expected.putAll(properties(MemFdWebProperties.Serving.class, "memfd.web.serving."));
        expected.putAll(properties(MemFdWebProperties.ProblemDetails.class, "memfd.web.problem-details."));
        expected.putAll(properties(MemFdWebProperties.Multipart.class, "memfd.web.multipart."));
        assertThat(expected).hasSize(11 + 10 + 5 + 7);
        List<Map<String, Object>> properties = JsonPath.read(this.metadata, "$.properties[*]");
        List<Map<String, Object>> memfdProperties = properties.stream()
            .filter((property) -> ((String) property.get("name")).startsWith("memfd."))
            .toList();
        assertThat(memfdProperties).extracting((property) -> property.get("name"))
            .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map<String, Object> property : memfdProperties) {
            assertThat(property.get("sourceType")).as("source of %s", property.get("name"))
                .isEqualTo(expected.get(property.get("name")).getName());
        }
        assertThat(properties).extracting((property) -> property.get("name"))
            .contains("management.health.memfd.enabled", "management.health.memfd.warning-threshold");
        for (Map<String, Object> property : properties) {
            assertThat((String) property.get("description")).as("description of %s", property.get("name"))
                .isNotBlank()
                .endsWith(".");
        }
    }

    @Test
    void defaultsAreDocumented() {
        assertThat(defaultOf("memfd.max-size")).isEqualTo("64MB");
        assertThat(defaultOf("memfd.max-total-size")).isEqualTo("512MB");
        assertThat(defaultOf("memfd.default-seals")).isEqualTo(List.of("write", "shrink", "grow", "seal"));
        assertThat(defaultOf("memfd.huge-pages")).isEqualTo("none");
        assertThat(defaultOf("memfd.leak-detection")).isEqualTo("report");
        assertThat(defaultOf("memfd.executable")).isEqualTo(false);
        assertThat(defaultOf("memfd.noexec")).isEqualTo(true);
        assertThat(defaultOf("memfd.close-on-exec")).isEqualTo(true);
        assertThat(defaultOf("memfd.name-prefix")).isEqualTo("");
        assertThat(defaultOf("memfd.ipc.server.enabled")).isEqualTo(false);
        assertThat(defaultOf("memfd.ipc.server.file-mode")).isEqualTo("0600");
        assertThat(defaultOf("memfd.ipc.server.required-seals")).isEqualTo(List.of("shrink", "grow"));
        assertThat(defaultOf("memfd.ipc.server.max-payload-size")).isEqualTo("64KB");
        assertThat(defaultOf("memfd.ipc.server.max-connections")).isEqualTo(64);
        assertThat(defaultOf("memfd.ipc.server.idle-timeout")).isEqualTo("1m");
        assertThat(defaultOf("memfd.ipc.server.shutdown-timeout")).isEqualTo("10s");
        assertThat(defaultOf("memfd.ipc.client.connect-timeout")).isEqualTo("5s");
        assertThat(defaultOf("memfd.ipc.client.reply-timeout")).isEqualTo("30s");
        assertThat(defaultOf("memfd.ipc.client.max-payload-size")).isEqualTo("64KB");
        assertThat(defaultOf("memfd.web.upload-idle-timeout")).isEqualTo("30s");
        assertThat(defaultOf("memfd.web.upload-minimum-rate")).isEqualTo("1KB");
        assertThat(defaultOf("memfd.web.serving.minimum-rate")).isEqualTo("1KB");
        assertThat(defaultOf("memfd.web.serving.enabled")).isEqualTo(true);
        assertThat(defaultOf("memfd.web.problem-details.enabled")).isEqualTo(true);
        assertThat(defaultOf("memfd.web.multipart.enabled")).isEqualTo(false);
        // Unset means "where memfd works", "half the descriptor limit", "named after the application", "the
        // factory's limit" or "this user": no single value says that, the descriptions do.
        for (String name : List.of("memfd.enabled", "memfd.max-count", "memfd.ipc.server.path",
                "memfd.ipc.server.max-buffer-size", "memfd.ipc.server.allowed-uids", "memfd.ipc.client.path")) {
            assertThat(JsonPath.<List<Object>>read(this.metadata,
                    "$.properties[?(@.name == '" + name + "')].defaultValue")).as(name).isEmpty();
        }
    }

    @Test
    void noexecIsDeprecatedForExecutableWithoutAReplacementThatToolsWouldCopyItsValueTo() {
        Map<String, Object> deprecation = JsonPath
            .<List<Map<String, Object>>>read(this.metadata, "$.properties[?(@.name == 'memfd.noexec')].deprecation")
            .get(0);
        // Level warning (the default): it still works.
        assertThat(deprecation).doesNotContainKey("level").doesNotContainKey("replacement");
        assertThat((String) deprecation.get("reason")).contains("memfd.executable", "opposite value");
    }

    @Test
    void everySealNameIsHinted() {
        List<String> expected = Arrays.stream(Seal.values())
            .map((seal) -> seal.name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .toList();
        assertThat(hintValues("memfd.default-seals")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(hintValues("memfd.ipc.server.required-seals")).containsExactlyInAnyOrderElementsOf(expected);
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

    /** The writable JavaBean properties of {@code type}, by their names in the metadata. */
    private static Map<String, Class<?>> properties(Class<?> type, String prefix) {
        Map<String, Class<?>> properties = new LinkedHashMap<>();
        Arrays.stream(BeanUtils.getPropertyDescriptors(type))
            .filter((property) -> property.getWriteMethod() != null)
            .forEach((property) -> properties.put(prefix + dashed(property.getName()), type));
        return properties;
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
