package dev.warp.edge.admin;

/**
 * What {@code java -jar warp-edge.jar --help} prints: the commands, the main properties, the
 * ports and what each serves.
 */
final class Usage {

	/** The operator commands, also printed after a command that is not one. */
	static final String COMMANDS = """
			usage: java -jar warp-edge.jar [--edge.<property>=<value>...]      start the edge
			       java -jar warp-edge.jar token create --zone <zone> [--zone <zone>...] [--data-dir <dir>]
			       java -jar warp-edge.jar token list [--data-dir <dir>]
			       java -jar warp-edge.jar token revoke <id> [--data-dir <dir>]
			       java -jar warp-edge.jar cert revoke <serial-hex> [--data-dir <dir>]
			       java -jar warp-edge.jar --help""";

	static final String TEXT = COMMANDS + """


			Commands (they work on the data directory's files; a running edge sees their effect at once):
			  token create   creates an account token for the zones (a zone covers itself and every name below it)
			                 and prints it as a connector token: all an application needs (WARP_TOKEN), since it
			                 names the tunnel and provisioning addresses below and pins the edge's CA
			  token list     lists tokens: id, zones, created, revoked
			  token revoke   revokes a token: it obtains no new certificate
			  cert revoke    revokes an origin certificate: the edge refuses it from now on

			Ports (edge.<name>.port; 0 picks a free one, logged at start):
			  edge.public.port         8080  visitors: HTTP/1.1 and HTTP/2 cleartext
			  edge.public.tls.port     none  visitors over TLS (HTTP/1.1 and HTTP/2), off unless set
			  edge.tunnel.port         7844  applications' tunnel connections (TLS 1.3, origin certificate required);
			                                 the address applications dial (warp.edge.addresses)
			  edge.provisioning.port   7847  provisioning API (HTTPS): a token and a CSR for an origin certificate,
			                                 and the edge's CA certificate (GET /v1/ca.pem)
			  edge.api.port            7845  status API: GET /status, GET /metrics, a dashboard at /; on 127.0.0.1
			                                 only unless edge.api.address opens it (/status names every hostname
			                                 and agent)

			Main properties (as --edge.x=y, EDGE_X=y in the environment, or in application.properties):
			  edge.data-dir                       ~/.warp/edge: CA (ca.pem), keys, tokens
			  edge.bind-address                   0.0.0.0: the address every listener but the API binds
			  edge.advertised.tunnel-addresses    host:port applications dial, named in new tokens
			                                      (default localhost:<edge.tunnel.port>: this machine only)
			  edge.advertised.provisioning-url    https://host:port of the provisioning API, named in new tokens
			                                      (default: the first advertised host, edge.provisioning.port)
			  edge.tunnel.certificate-names       names on the tunnel certificate (advertised hosts are added)
			  edge.public.tls.certificate-names   names on the visitors' TLS certificate (token zones are added)
			  edge.cluster.redis-url              joins a cluster of edges sharing their routes in Redis

			token create reads the same configuration as the edge: give it the same --edge.* arguments,
			environment and files, so that the token names the ports the edge listens on.""";

	private Usage() {
	}

}
