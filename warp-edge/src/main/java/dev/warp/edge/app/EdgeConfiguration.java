package dev.warp.edge.app;

import java.util.Map;

import dev.warp.edge.EdgeSettings;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The edge's configuration as the running edge reads it (command-line {@code --edge.*}
 * arguments, {@code EDGE_*} environment variables, {@code application.properties} files), bound
 * without starting anything: what an operator command needs to know of the edge.
 */
@EnableConfigurationProperties(EdgeProperties.class)
public class EdgeConfiguration {

	/**
	 * The edge settings these arguments and this environment configure.
	 * @throws IllegalArgumentException when a property is invalid
	 */
	public static EdgeSettings settings(String[] args) {
		SpringApplication application = new SpringApplication(EdgeConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		application.setRegisterShutdownHook(false);
		// The command's output is what it prints itself.
		application.setDefaultProperties(Map.of("logging.level.root", "OFF"));
		try (ConfigurableApplicationContext context = application.run(args)) {
			return context.getBean(EdgeProperties.class).toSettings();
		}
		catch (RuntimeException ex) {
			Throwable cause = ex;
			while (cause.getCause() != null && cause.getCause() != cause) {
				cause = cause.getCause();
			}
			throw new IllegalArgumentException("the edge's configuration is invalid: " + cause.getMessage(), ex);
		}
	}

}
