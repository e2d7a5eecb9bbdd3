package dev.warp.autoconfigure.tunnel;

import dev.warp.agent.TunnelSettings;

/**
 * Callback to customize the tunnel's settings beyond what the {@code warp.*} properties offer,
 * before the tunnel is created. Every bean of this type is applied, in
 * {@link org.springframework.core.Ordered order}, after the properties: a customizer has the last
 * word.
 *
 * <pre class="code">
 * &#64;Bean
 * WarpTunnelCustomizer agentId(&#64;Value("${HOSTNAME}") String pod) {
 *     return (settings) -&gt; settings.agentId(pod);
 * }
 * </pre>
 */
@FunctionalInterface
public interface WarpTunnelCustomizer {

	/**
	 * Customizes the tunnel's settings.
	 * @param settings the builder, with every property already applied
	 */
	void customize(TunnelSettings.Builder settings);

}
