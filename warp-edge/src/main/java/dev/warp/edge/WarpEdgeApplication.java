package dev.warp.edge;

import java.util.Map;

import dev.warp.edge.admin.AdminCommand;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The runnable edge: {@code java -jar warp-edge.jar}, configured with {@code edge.*} properties;
 * or an operator command ({@code token ...}, {@code cert ...}, see {@link AdminCommand}).
 */
@SpringBootApplication
@EnableConfigurationProperties(EdgeProperties.class)
public class WarpEdgeApplication {

	@Bean
	EdgeNodeLifecycle edgeNodeLifecycle(EdgeProperties properties) {
		return new EdgeNodeLifecycle(properties.toSettings());
	}

	/**
	 * The application as {@link #main} runs it. The edge serves HTTP with its own listeners, so
	 * Spring Boot starts no web server; its event loop threads are daemons, so a keep-alive thread
	 * holds the JVM up until the context closes. Both are set here rather than in
	 * {@code application.properties}, which would reach any application that has the edge on
	 * its classpath (in tests, say).
	 */
	public static SpringApplication application() {
		SpringApplication application = new SpringApplication(WarpEdgeApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setDefaultProperties(Map.of("spring.main.keep-alive", "true"));
		return application;
	}

	public static void main(String[] args) {
		if (AdminCommand.isCommand(args)) {
			System.exit(new AdminCommand(System.out, System.err).run(args));
		}
		application().run(args);
	}

}
