package dev.warp.edge.admin;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.token.ConnectorToken;
import dev.warp.edge.EdgeSettings;
import dev.warp.edge.app.EdgeConfiguration;
import dev.warp.edge.pki.EdgeCredentials;
import dev.warp.edge.provisioning.AccountToken;
import dev.warp.edge.provisioning.AdvertisedEdge;
import dev.warp.edge.provisioning.RevokedCertificates;
import dev.warp.edge.provisioning.TokenStore;
import org.jspecify.annotations.Nullable;

/**
 * {@code java -jar warp-edge.jar token create --zone example.test [--zone ...]} (prints a
 * connector token, which names the edge's advertised addresses as its configuration sets them),
 * {@code token list}, {@code token revoke <id>}, {@code cert revoke <serial>}; each takes
 * {@code --data-dir <dir>} (default {@code ~/.warp/edge}, the edge's own default). They work on
 * the data directory's files, so they need no running edge, and a running edge sees their effect
 * (it reads the files again when they change).
 */
public final class AdminCommand {

	private static final Set<String> COMMANDS = Set.of("token", "cert", "help");

	private static final Set<String> HELP = Set.of("--help", "-h", "help");

	private final PrintStream out;

	private final PrintStream err;

	private final Function<String[], EdgeSettings> configuration;

	/** A command that reads the edge's configuration as the running edge does ({@link EdgeConfiguration}). */
	public AdminCommand(PrintStream out, PrintStream err) {
		this(out, err, EdgeConfiguration::settings);
	}

	/**
	 * @param configuration the edge's settings for the command's arguments: what {@code token create}
	 * names in the token
	 */
	public AdminCommand(PrintStream out, PrintStream err, Function<String[], EdgeSettings> configuration) {
		this.out = out;
		this.err = err;
		this.configuration = configuration;
	}

	/** Whether the arguments name an operator command, or ask for help, rather than start the edge. */
	public static boolean isCommand(String[] args) {
		return args.length > 0 && COMMANDS.contains(args[0]) || Arrays.stream(args).anyMatch(HELP::contains);
	}

	/** Runs a command; returns the process exit code. */
	public int run(String[] args) {
		if (Arrays.stream(args).anyMatch(HELP::contains)) {
			this.out.println(Usage.TEXT);
			return 0;
		}
		List<String> words = new ArrayList<>();
		List<String> zones = new ArrayList<>();
		Path defaultDataDir = Path.of(System.getProperty("user.home"), ".warp", "edge");
		Path dataDir = null;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			String value = null;
			if (arg.startsWith("--") && arg.contains("=")) {
				value = arg.substring(arg.indexOf('=') + 1);
				arg = arg.substring(0, arg.indexOf('='));
			}
			else if ((arg.equals("--zone") || arg.equals("--data-dir")) && i + 1 < args.length) {
				value = args[++i];
			}
			switch (arg) {
				case "--zone" -> zones.add(require(value, arg));
				case "--data-dir", "--edge.data-dir" -> dataDir = Path.of(require(value, arg));
				default -> {
					// --edge.* properties are the edge's configuration (see createToken), not words of the command.
					if (!arg.startsWith("--edge.")) {
						words.add(arg);
					}
				}
			}
		}
		try {
			if (words.equals(List.of("token", "create"))) {
				return createToken(args, zones, dataDir);
			}
			return dispatch(words, zones, (dataDir != null) ? dataDir : defaultDataDir);
		}
		catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException ex) {
			this.err.println("error: " + ex.getMessage());
			return 1;
		}
	}

	private int dispatch(List<String> words, List<String> zones, Path dataDir) {
		String command = String.join(" ", words.subList(0, Math.min(2, words.size())));
		@Nullable String argument = (words.size() > 2) ? words.get(2) : null;
		switch (command) {
			case "token list" -> {
				this.out.println("ID            ZONES                          CREATED                REVOKED");
				for (AccountToken token : new TokenStore(dataDir).list()) {
					this.out.printf("%-13s %-30s %-22s %s%n", token.id(), String.join(",", token.zones()),
							token.created().toString(), (token.revoked() != null) ? token.revoked() : "-");
				}
				return 0;
			}
			case "token revoke" -> {
				if (argument == null) {
					return usage();
				}
				if (!new TokenStore(dataDir).revoke(argument)) {
					this.err.println("error: no active token " + argument + " in " + dataDir + " (see: token list)");
					return 1;
				}
				this.out.println("Token " + argument + " revoked: it obtains no new certificate. Certificates issued "
						+ "with it stay valid until they expire; revoke them with: cert revoke <serial>");
				return 0;
			}
			case "cert revoke" -> {
				if (argument == null) {
					return usage();
				}
				String serial = new RevokedCertificates(dataDir).revoke(argument).toString(16);
				this.out.println("Certificate " + serial + " revoked: a running edge that uses " + dataDir
						+ " closes its tunnel connections and refuses new ones at once");
				return 0;
			}
			default -> {
				return usage();
			}
		}
	}

	/**
	 * Creates an account token and prints it as a connector token (standard output, alone, so
	 * that a script can capture it), and on standard error what to do with it.
	 */
	private int createToken(String[] args, List<String> zones, @Nullable Path dataDirOption) {
		EdgeSettings settings = this.configuration.apply(args);
		Path dataDir = (dataDirOption != null) ? dataDirOption : settings.dataDir();
		// Before the token exists: a configuration that cannot name the edge creates none.
		AdvertisedEdge advertised = AdvertisedEdge.of(settings, settings.tunnelPort(), settings.provisioning().port());
		X509Certificate ca = CertificateAuthority.loadOrCreate(dataDir, EdgeCredentials.CA_NAME).certificate();
		TokenStore.CreatedToken created = new TokenStore(dataDir).create(zones);
		ConnectorToken token = advertised.token(created, ca);
		String text = token.encode();
		this.out.println(text);
		List<String> tokenZones = created.token().zones();
		String zone = tokenZones.get(0);
		this.err.printf("""

				Token %s for %s created in %s; it is shown this once (the edge keeps a salted hash of it).
				It tells an application to dial %s, to get its certificate at %s
				and to trust only the edge CA %s.%s

				Give it to the application in its environment:

				  export WARP_TOKEN='%s'

				and in its application.yml (any name in %s):

				  warp:
				    hostname: %s

				""", created.token().id(), String.join(", ", tokenZones), dataDir,
				String.join(", ", advertised.tunnelAddresses()), advertised.provisioningUrl(), token.caPin(),
				settings.advertisedTunnelAddresses().isEmpty()
						? "\nThat serves applications on this machine; for others, set edge.advertised.tunnel-addresses "
								+ "(and restart the edge) before creating the token."
						: "",
				text, String.join(", ", tokenZones), "app." + zone);
		return 0;
	}

	private int usage() {
		this.err.println(Usage.COMMANDS);
		return 2;
	}

	private static String require(@Nullable String value, String option) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(option + " needs a value");
		}
		return value;
	}

}
