package dev.warp.edge.provisioning;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TokenStoreTests {

	@TempDir
	Path dataDir;

	@Test
	void createdTokenAuthenticatesWithItsZones() {
		TokenStore store = new TokenStore(this.dataDir);
		TokenStore.CreatedToken created = store.create(List.of("Example.Test", "other.test."));
		AccountToken token = store.authenticate(created.secret());
		assertThat(token).isNotNull();
		assertThat(token.id()).isEqualTo(created.token().id());
		assertThat(token.zones()).containsExactly("example.test", "other.test");
	}

	@Test
	void storesOnlyASaltedHashOfTheSecretInAnOwnerOnlyFile() throws Exception {
		TokenStore.CreatedToken first = new TokenStore(this.dataDir).create(List.of("example.test"));
		Path file = this.dataDir.resolve(TokenStore.FILE);
		String text = Files.readString(file);
		String secretPart = first.secret().substring(first.secret().indexOf('.') + 1);
		assertThat(text).contains(first.token().id()).doesNotContain(secretPart);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(first.toString()).doesNotContain(secretPart);
	}

	@Test
	void wrongSecretUnknownIdAndMalformedTokensDoNotAuthenticate() {
		TokenStore store = new TokenStore(this.dataDir);
		String secret = store.create(List.of("example.test")).secret();
		String id = secret.substring(0, secret.indexOf('.'));
		assertThat(store.authenticate(id + ".wrong-secret")).isNull();
		assertThat(store.authenticate("warp_000000000000" + secret.substring(secret.indexOf('.')))).isNull();
		assertThat(store.authenticate("not-a-token")).isNull();
		assertThat(store.authenticate("")).isNull();
	}

	@Test
	void revokedTokenNoLongerAuthenticates() {
		TokenStore store = new TokenStore(this.dataDir);
		TokenStore.CreatedToken created = store.create(List.of("example.test"));
		assertThat(store.revoke(created.token().id())).isTrue();
		assertThat(store.authenticate(created.secret())).isNull();
		assertThat(store.list()).singleElement().satisfies((token) -> assertThat(token.isRevoked()).isTrue());
		assertThat(store.revoke(created.token().id())).isFalse();
	}

	@Test
	void aRunningStoreSeesTokensCreatedAndRevokedByAnotherProcessOnTheSameDataDirectory() {
		TokenStore running = new TokenStore(this.dataDir);
		running.list();
		TokenStore.CreatedToken created = new TokenStore(this.dataDir).create(List.of("example.test"));
		assertThat(running.authenticate(created.secret())).isNotNull();
		new TokenStore(this.dataDir).revoke(created.token().id());
		assertThat(running.authenticate(created.secret())).isNull();
	}

	@Test
	void zoneMustBeADnsName() {
		TokenStore store = new TokenStore(this.dataDir);
		assertThatIllegalArgumentException().isThrownBy(() -> store.create(List.of("*.example.test")))
			.withMessageContaining("not a DNS zone");
		assertThatIllegalArgumentException().isThrownBy(() -> store.create(List.of())).withMessageContaining("--zone");
	}

	@Test
	void zoneCoversItselfAndEveryNameBelowItOnly() {
		assertThat(Zones.covers("example.test", "example.test")).isTrue();
		assertThat(Zones.covers("example.test", "a.example.test")).isTrue();
		assertThat(Zones.covers("example.test", "b.a.example.test")).isTrue();
		assertThat(Zones.covers("example.test", "other.test")).isFalse();
		assertThat(Zones.covers("example.test", "badexample.test")).isFalse();
		assertThat(Zones.covers("example.test", "example.test.evil.test")).isFalse();
	}

}
