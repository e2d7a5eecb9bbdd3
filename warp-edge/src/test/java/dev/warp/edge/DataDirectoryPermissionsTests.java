package dev.warp.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import dev.warp.edge.admin.AdminCommand;
import dev.warp.core.pki.CertificateAuthority;
import dev.warp.edge.pki.EdgeCredentials;
import dev.warp.edge.provisioning.RevokedCertificates;
import dev.warp.edge.provisioning.TokenStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge's data directory holds the CA key and the token hashes: whatever creates it, the edge
 * or an operator's command, makes it owner-only, and every secret in it too.
 */
class DataDirectoryPermissionsTests {

	@TempDir
	Path parent;

	@Test
	void tokenCreateOnAFreshDataDirectoryMakesItOwnerOnly() throws Exception {
		Path dataDir = this.parent.resolve("fresh/edge");
		assertThat(command("token", "create", "--zone", "example.test", "--data-dir", dataDir.toString())).isZero();
		assertThat(permissions(dataDir)).isEqualTo("rwx------");
		assertThat(permissions(dataDir.getParent())).isEqualTo("rwx------");
		assertThat(permissions(dataDir.resolve(TokenStore.FILE))).isEqualTo("rw-------");
	}

	@Test
	void everyKeyTokenAndRevocationTheEdgeWritesIsOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
		Path dataDir = this.parent.resolve("edge");
		try (EdgeNode edge = EdgeNode.start(TestEdges.onLoopback(dataDir).build())) {
			assertThat(command("cert", "revoke", "0a1b", "--data-dir", dataDir.toString())).isZero();
			edge.tokens().create(List.of("example.test"));
		}
		assertThat(permissions(dataDir)).isEqualTo("rwx------");
		for (String secret : List.of(CertificateAuthority.KEY_FILE, EdgeCredentials.KEY_FILE, TokenStore.FILE,
				RevokedCertificates.FILE)) {
			assertThat(permissions(dataDir.resolve(secret))).as(secret).isEqualTo("rw-------");
		}
		try (Stream<Path> files = Files.walk(dataDir)) {
			files.filter(Files::isDirectory).forEach((dir) -> assertThat(permissions(dir)).as(dir.toString())
				.isEqualTo("rwx------"));
		}
	}

	private static int command(String... args) {
		PrintStream out = new PrintStream(new ByteArrayOutputStream());
		return new AdminCommand(out, out).run(args);
	}

	private static String permissions(Path path) {
		try {
			return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
