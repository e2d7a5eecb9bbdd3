package dev.warp.autoconfigure.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Warns at startup about {@code warp.*} properties that do nothing: a key the starter does not
 * know (a typo such as {@code warp.edge.adresses}), named with the nearest known one, and
 * {@code warp.*} settings without {@code warp.hostname}, which leave the tunnel off. Runs
 * whether or not the tunnel's auto-configuration applies, since a misspelt
 * {@code warp.hostname} is exactly what keeps it from applying. The known keys are those of the
 * configuration metadata on the class path.
 */
public class WarpPropertiesCheck implements ApplicationListener<ApplicationPreparedEvent> {

	private static final Logger logger = LoggerFactory.getLogger(WarpPropertiesCheck.class);

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	private static final String PREFIX = "warp.";

	@Override
	public void onApplicationEvent(ApplicationPreparedEvent event) {
		warnings(event.getApplicationContext().getEnvironment(), knownKeys(getClass().getClassLoader()))
			.forEach(logger::warn);
	}

	/** What to warn about, one line each, for the {@code warp.*} properties of an environment. */
	static List<String> warnings(ConfigurableEnvironment environment, List<String> known) {
		Map<String, String> set = new LinkedHashMap<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.stream().filter((name) -> name.toString().startsWith(PREFIX)).forEach((name) -> {
					set.putIfAbsent(withoutIndex(name), origin(source, name));
				});
			}
		}
		List<String> warnings = new ArrayList<>();
		boolean hostname = false;
		for (Map.Entry<String, String> entry : set.entrySet()) {
			String key = entry.getKey();
			String nearest = nearest(key, known);
			if (loose(key).equals(loose("warp.hostname"))) {
				hostname = true;
			}
			else if (nearest == null || !loose(nearest).equals(loose(key))) {
				warnings.add("Unknown property " + key + entry.getValue() + ": the Warp starter has no such property and "
						+ "ignores it" + ((nearest != null) ? "; did you mean " + nearest + "?"
								: "; the README's Properties table lists them"));
			}
		}
		boolean disabled = "false".equalsIgnoreCase(environment.getProperty("warp.enabled"));
		if (!hostname && !disabled && !set.isEmpty()) {
			warnings.add("warp.* properties are set (" + String.join(", ", new TreeSet<>(set.keySet())) + ") but warp.hostname is not, "
					+ "so the Warp tunnel stays off. Set warp.hostname to the application's public hostname to open it.");
		}
		return warnings;
	}

	/** The known key nearest to a key (edit distance, separators and case ignored), if one is close enough. */
	static @Nullable String nearest(String key, List<String> known) {
		String target = loose(key);
		return known.stream()
			.filter((candidate) -> distance(loose(candidate), target) <= Math.max(2, target.length() / 4))
			.min(Comparator.comparingInt((String candidate) -> distance(loose(candidate), target)))
			.orElse(null);
	}

	/** The {@code warp.*} property names in the configuration metadata of the class path. */
	static List<String> knownKeys(ClassLoader classLoader) {
		TreeSet<String> keys = new TreeSet<>();
		try {
			for (URL url : Collections.list(classLoader.getResources(METADATA))) {
				addKeys(url, keys);
			}
		}
		catch (IOException ex) {
			// Only warnings depend on it: the application starts all the same.
			logger.debug("Cannot list the configuration metadata {}; the warp.* keys are not checked", METADATA, ex);
		}
		return List.copyOf(keys);
	}

	private static void addKeys(URL url, Set<String> keys) {
		try (InputStream in = url.openStream()) {
			Map<String, Object> metadata = JsonParserFactory.getJsonParser()
				.parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
			if (metadata.get("properties") instanceof List<?> properties) {
				for (Object property : properties) {
					if (property instanceof Map<?, ?> map && map.get("name") instanceof String name
							&& name.startsWith(PREFIX)) {
						keys.add(name);
					}
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// Another library's broken metadata must not stop the application for a warning.
			logger.debug("Cannot read the configuration metadata {}; its keys are not checked", url, ex);
		}
	}

	private static String withoutIndex(ConfigurationPropertyName name) {
		return name.toString().replaceAll("\\[[^]]*]", "");
	}

	private static String origin(ConfigurationPropertySource source, ConfigurationPropertyName name) {
		ConfigurationProperty property = source.getConfigurationProperty(name);
		return (property != null && property.getOrigin() != null) ? " (" + property.getOrigin() + ")" : "";
	}

	/** A key compared without case and separators: environment variables lose the dashes. */
	private static String loose(String key) {
		return key.toLowerCase(Locale.ROOT).replaceAll("[-_.]", "");
	}

	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
