package dev.warp.edge.admin;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.warp.edge.provisioning.AccountToken;
import dev.warp.edge.provisioning.RevokedCertificates;
import dev.warp.edge.provisioning.TokenStore;
import org.jspecify.annotations.Nullable;

/**
 * {@code java -jar warp-edge.jar token create --zone example.test [--zone ...]},
 * {@code token list}, {@code token revoke <id>}, {@code cert revoke <serial>}; each takes
 * {@code --data-dir <dir>} (default {@code ~/.warp/edge}, the edge's own default). They work on
 * the data directory's files, so they need no running edge, and a running edge sees their effect
 * (it reads the files again when they change).
 */
public final class AdminCommand {

	private static final Set<String> COMMANDS = Set.of("token", "cert");

	private final PrintStream out;

	private final PrintStream err;

	public AdminCommand(PrintStream out, PrintStream err) {
		this.out = out;
		this.err = err;
	}

	/** Whether the arguments name an operator command rather than starting the edge. */
	public static boolean isCommand(String[] args) {
		return args.length > 0 && COMMANDS.contains(args[0]);
	}

	/** Runs a command; returns the process exit code. */
	public int run(String[] args) {
		List<String> words = new ArrayList<>();
		List<String> zones = new ArrayList<>();
		Path dataDir = Path.of(System.getProperty("user.home"), ".warp", "edge");
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
				default -> words.add(arg);
			}
		}
		try {
			return dispatch(words, zones, dataDir);
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
			case "token create" -> {
				TokenStore.CreatedToken created = new TokenStore(dataDir).create(zones);
				this.out.println(created.secret());
				this.err.println("Token " + created.token().id() + " for " + String.join(", ", created.token().zones())
						+ " created in " + dataDir + ". It is shown this once: give it to the application as warp.token.");
				return 0;
			}
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

	private int usage() {
		this.err.println("""
				usage: java -jar warp-edge.jar token create --zone <zone> [--zone <zone>...] [--data-dir <dir>]
				       java -jar warp-edge.jar token list [--data-dir <dir>]
				       java -jar warp-edge.jar token revoke <id> [--data-dir <dir>]
				       java -jar warp-edge.jar cert revoke <serial-hex> [--data-dir <dir>]""");
		return 2;
	}

	private static String require(@Nullable String value, String option) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(option + " needs a value");
		}
		return value;
	}

}
