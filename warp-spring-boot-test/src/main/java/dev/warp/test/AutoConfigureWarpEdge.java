package dev.warp.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.test.context.TestPropertySource;

/**
 * Tests the application through a real Warp edge started in the test JVM: the same engine as
 * {@code warp-edge.jar}, on free ports of 127.0.0.1, with a CA, an account token and origin
 * credentials of its own in temporary directories. The application's tunnel opens to it (the
 * tunnel is otherwise off in tests), and the context is ready once the application's hostname
 * is served through the edge. Inject {@link WarpTestEdge} to send requests through it.
 *
 * <p>The application's {@code warp.hostname} is used when it has one, a generated hostname
 * otherwise; every other {@code warp.*} setting that points at an edge is replaced. The edge is
 * cached and shared with the application context (Spring's context cache), and stops with it.
 * {@code spring.test.warp.edge.public-port} fixes the port of the edge's public listener (for a
 * browser, say); by default it is a free one.
 *
 * <pre class="code">
 * &#64;SpringBootTest
 * &#64;AutoConfigureWarpEdge
 * class ShopTests {
 *
 *     &#64;Autowired
 *     WarpTestEdge edge;
 *
 *     &#64;Test
 *     void helloIsServedThroughTheEdge() {
 *         edge.webTestClient().get().uri("/hello").exchange().expectStatus().isOk();
 *     }
 *
 * }
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
@TestPropertySource(properties = "spring.test.warp.enabled=true")
public @interface AutoConfigureWarpEdge {

}
