package dev.warp.edge.app;

import java.util.Map;
import java.util.Properties;

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

	/** The system property of how many buffers Netty's leak detector lets pass between two it tracks. */
	static final String LEAK_SAMPLING_INTERVAL = "io.netty.leakDetection.samplingInterval";

	/**
	 * One buffer in 4096 tracked for leaks, unless the operator chose: Netty's default, one in
	 * 128, records a stack trace for each, which cost the edge about 4 % of its CPU under load
	 * (profile of small GETs). A leak that recurs, the kind that exhausts memory, is still reported.
	 */
	static void sampleLeaksSparingly(Properties system) {
		system.putIfAbsent(LEAK_SAMPLING_INTERVAL, "4096");
	}

	public static void main(String[] args) {
		// Before any Netty class reads it.
		sampleLeaksSparingly(System.getProperties());
		if (AdminCommand.isCommand(args)) {
			System.exit(new AdminCommand(System.out, System.err).run(args));
		}
		application().run(args);
	}

}
