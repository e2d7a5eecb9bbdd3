package dev.warp.edge.provisioning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.warp.core.pki.OwnerOnlyDirectories;
import dev.warp.core.token.ConnectorToken;
import dev.warp.core.token.InvalidTokenException;
import org.jspecify.annotations.Nullable;

/**
 * Account tokens, kept in the edge's data directory ({@value #FILE}, owner-only). A token reads
 * {@code warp_<id>.<secret>} (or is a {@link ConnectorToken} that holds both): the id finds the entry, the secret is checked against its salted
 * SHA-256 hash in constant time. The file is read again whenever it changed on disk, so that a
 * token created or revoked with the edge jar's {@code token} command takes effect in a running
 * edge, and nodes that share the data directory share the tokens.
 */
public final class TokenStore {

	/** The file in the data directory. */
	public static final String FILE = "tokens";

	private static final String PREFIX = "warp_";

	private static final HexFormat HEX = HexFormat.of();

	private final Path file;

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	private Map<String, Entry> entries = new LinkedHashMap<>();

	private long loadedModified = Long.MIN_VALUE;

	public TokenStore(Path dataDir) {
		this(dataDir, Clock.systemUTC());
	}

	TokenStore(Path dataDir, Clock clock) {
		this.file = dataDir.resolve(FILE);
		this.clock = clock;
	}

	/**
	 * Creates a token for some zones. The returned secret is the only copy: it is shown once and
	 * cannot be recovered.
	 * @throws IllegalArgumentException when a zone is not a DNS name or none is given
	 */
	public synchronized CreatedToken create(List<String> zones) {
		if (zones.isEmpty()) {
			throw new IllegalArgumentException("A token needs at least one zone (--zone example.test)");
		}
		List<String> normalized = new ArrayList<>();
		for (String zone : zones) {
			if (!Zones.isValid(zone)) {
				throw new IllegalArgumentException("'" + zone + "' is not a DNS zone; give a name like example.test");
			}
			normalized.add(Zones.normalize(zone));
		}
		reload();
		String id = HEX.formatHex(bytes(6));
		String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
		byte[] salt = bytes(16);
		AccountToken token = new AccountToken(id, List.copyOf(normalized), this.clock.instant(), null);
		this.entries.put(id, new Entry(token, salt, hash(salt, secret)));
		save();
		return new CreatedToken(token, PREFIX + id + "." + secret);
	}

	/** Every token, revoked ones included. */
	public synchronized List<AccountToken> list() {
		reload();
		return this.entries.values().stream().map(Entry::token).toList();
	}

	/** The zones of every token not revoked: the names the edge serves visitors for. */
	public synchronized Set<String> zones() {
		Set<String> zones = new TreeSet<>();
		for (AccountToken token : list()) {
			if (!token.isRevoked()) {
				zones.addAll(token.zones());
			}
		}
		return zones;
	}

	/**
	 * Revokes a token: it obtains no certificate any more. Certificates already issued with it
	 * stay valid until they expire or are revoked themselves.
	 * @return whether a token with this id existed and was not revoked yet
	 */
	public synchronized boolean revoke(String id) {
		reload();
		Entry entry = this.entries.get(id);
		if (entry == null || entry.token().isRevoked()) {
			return false;
		}
		AccountToken token = entry.token();
		this.entries.put(id, new Entry(new AccountToken(token.id(), token.zones(), token.created(), this.clock.instant()),
				entry.salt(), entry.hash()));
		save();
		return true;
	}

	/**
	 * The token a bearer presents, if it is known and not revoked.
	 * @return the token, or {@code null} for an unknown, malformed or revoked one
	 */
	public synchronized @Nullable AccountToken authenticate(String presented) {
		reload();
		if (ConnectorToken.isConnectorToken(presented)) {
			try {
				presented = ConnectorToken.decode(presented).bearer();
			}
			catch (InvalidTokenException ex) {
				return null;
			}
		}
		int dot = presented.indexOf('.');
		if (!presented.startsWith(PREFIX) || dot < 0) {
			return null;
		}
		Entry entry = this.entries.get(presented.substring(PREFIX.length(), dot));
		if (entry == null) {
			// Hash anyway: an unknown id should take as long as a wrong secret.
			MessageDigest.isEqual(hash(new byte[16], presented), new byte[32]);
			return null;
		}
		boolean matches = MessageDigest.isEqual(hash(entry.salt(), presented.substring(dot + 1)), entry.hash());
		return (matches && !entry.token().isRevoked()) ? entry.token() : null;
	}

	private byte[] bytes(int count) {
		byte[] bytes = new byte[count];
		this.random.nextBytes(bytes);
		return bytes;
	}

	private static byte[] hash(byte[] salt, String secret) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update(salt);
			return digest.digest(secret.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void reload() {
		try {
			if (!Files.exists(this.file)) {
				return;
			}
			long modified = Files.getLastModifiedTime(this.file).toMillis() ^ Files.size(this.file);
			if (modified == this.loadedModified) {
				return;
			}
			Map<String, Entry> read = new LinkedHashMap<>();
			for (String line : Files.readAllLines(this.file, StandardCharsets.UTF_8)) {
				if (line.isBlank() || line.startsWith("#")) {
					continue;
				}
				Entry entry = Entry.parse(line);
				read.put(entry.token().id(), entry);
			}
			this.entries = read;
			this.loadedModified = modified;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the token store " + this.file + ": " + ex.getMessage(), ex);
		}
	}

	private void save() {
		StringBuilder text = new StringBuilder(
				"# Warp account tokens: id, salt, SHA-256(salt + secret), zones, created, revoked\n");
		this.entries.values().forEach((entry) -> text.append(entry.format()).append('\n'));
		try {
			OwnerOnlyDirectories.create(this.file.toAbsolutePath().getParent());
			Path temp = Files.createTempFile(this.file.toAbsolutePath().getParent(), FILE, ".tmp");
			try {
				if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
					Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
				}
				Files.writeString(temp, text, StandardCharsets.UTF_8);
				Files.move(temp, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
			finally {
				Files.deleteIfExists(temp);
			}
			this.loadedModified = Files.getLastModifiedTime(this.file).toMillis() ^ Files.size(this.file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write the token store " + this.file + ": " + ex.getMessage(), ex);
		}
	}

	/** A token just created: what is stored, and the secret text to hand to the operator once. */
	public record CreatedToken(AccountToken token, String secret) {

		@Override
		public String toString() {
			// The secret stays out of logs and assertion messages.
			return "CreatedToken[" + this.token + "]";
		}

	}

	private record Entry(AccountToken token, byte[] salt, byte[] hash) {

		String format() {
			return String.join("\t", this.token.id(), HEX.formatHex(this.salt), HEX.formatHex(this.hash),
					String.join(",", this.token.zones()), this.token.created().toString(),
					(this.token.revoked() != null) ? this.token.revoked().toString() : "-");
		}

		static Entry parse(String line) {
			String[] fields = line.split("\t");
			if (fields.length != 6) {
				throw new IllegalStateException("Malformed line in the token store: expected 6 tab-separated fields");
			}
			Instant revoked = "-".equals(fields[5]) ? null : Instant.parse(fields[5]);
			return new Entry(new AccountToken(fields[0], List.of(fields[3].split(",")), Instant.parse(fields[4]), revoked),
					HEX.parseHex(fields[1]), HEX.parseHex(fields[2]));
		}

	}

}
