package dev.warp.edge.app;

import java.nio.file.Path;
import java.util.List;

import dev.warp.edge.EdgeSettings.PublicTls;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Settings of the TLS public listener, under {@code edge.public.tls.}: what the operator set,
 * turned into {@link PublicTls}, which owns the defaults.
 */
public class PublicTlsProperties {

	/**
	 * Port of the TLS public listener (TLS 1.2 and 1.3; HTTP/1.1 and HTTP/2 by ALPN). Unset,
	 * visitors are served over cleartext only. 0 picks a free port, which the edge logs.
	 */
	private @Nullable Integer port;

	/**
	 * DNS names (wildcards such as *.example.test allowed) and IP addresses of the
	 * certificate the edge's CA issues for the TLS public listener at every start.
	 * Ignored when certificate-file and key-file are set.
	 */
	private @Nullable List<String> certificateNames;

	/**
	 * PEM file of the operator's own certificate chain (leaf first) for the TLS public
	 * listener, used instead of one the edge issues. Needs key-file.
	 */
	private @Nullable Path certificateFile;

	/**
	 * PEM file of the private key of certificate-file.
	 */
	private @Nullable Path keyFile;

	/**
	 * Certificates from an ACME CA (Let's Encrypt, say) for the hostnames the edge serves.
	 */
	@NestedConfigurationProperty
	private final AcmeProperties acme = new AcmeProperties();

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public @Nullable List<String> getCertificateNames() {
		return this.certificateNames;
	}

	public void setCertificateNames(@Nullable List<String> certificateNames) {
		this.certificateNames = certificateNames;
	}

	public @Nullable Path getCertificateFile() {
		return this.certificateFile;
	}

	public void setCertificateFile(@Nullable Path certificateFile) {
		this.certificateFile = certificateFile;
	}

	public @Nullable Path getKeyFile() {
		return this.keyFile;
	}

	public void setKeyFile(@Nullable Path keyFile) {
		this.keyFile = keyFile;
	}

	public AcmeProperties getAcme() {
		return this.acme;
	}

	/** The TLS listener on this port. */
	PublicTls toSettings(int port) {
		List<String> names = (this.certificateNames != null) ? this.certificateNames : PublicTls.DEFAULT_CERTIFICATE_NAMES;
		return new PublicTls(port, names, this.certificateFile, this.keyFile);
	}

}
