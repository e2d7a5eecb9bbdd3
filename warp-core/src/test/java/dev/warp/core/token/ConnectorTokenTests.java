package dev.warp.core.token;

import java.net.URI;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

import dev.warp.core.pki.CertificateAuthority;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ConnectorToken} and {@link CaPin}.
 */
class ConnectorTokenTests {

	private static final CertificateAuthority CA = CertificateAuthority.create("Test CA", Clock.systemUTC());

	private final ConnectorToken token = new ConnectorToken("0123456789ab", "s3cr3t-Secret_value",
			List.of("edge.example.test:17844", "[::1]:7844"), URI.create("https://edge.example.test:17847"),
			CaPin.of(CA.certificate()));

	@Test
	void aTokenRoundTripsThroughItsText() {
		String text = this.token.encode();
		assertThat(text).startsWith("warp1.").doesNotContain("=", "+", "/");
		assertThat(ConnectorToken.decode(text)).isEqualTo(this.token);
		assertThat(ConnectorToken.decode("  " + text + "\n")).isEqualTo(this.token);
	}

	@Test
	void theBearerIsTheAccountTokenTheEdgeHashes() {
		assertThat(this.token.bearer()).isEqualTo("warp_0123456789ab.s3cr3t-Secret_value");
	}

	@Test
	void theSecretStaysOutOfToString() {
		assertThat(this.token.toString()).doesNotContain("s3cr3t").contains("edge.example.test:17844");
	}

	@Test
	void aTamperedTokenIsDamaged() {
		String text = this.token.encode();
		byte[] payload = Base64.getUrlDecoder().decode(text.substring("warp1.".length()));
		payload[20] ^= 0x01;
		String tampered = "warp1." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload);
		assertThatExceptionOfType(InvalidTokenException.class).isThrownBy(() -> ConnectorToken.decode(tampered))
			.withMessageContaining("the token is damaged (its checksum does not match)")
			.withMessageContaining("copy the whole line that 'token create' printed");
	}

	@Test
	void aTruncatedTokenIsDamaged() {
		String text = this.token.encode();
		for (int cut : List.of(1, 2, 5, text.length() / 2, text.length() - 8)) {
			assertThatExceptionOfType(InvalidTokenException.class)
				.isThrownBy(() -> ConnectorToken.decode(text.substring(0, text.length() - cut)))
				.withMessageStartingWith("the token is damaged");
		}
	}

	@Test
	void aTokenWithForeignCharactersIsDamaged() {
		assertThatExceptionOfType(InvalidTokenException.class)
			.isThrownBy(() -> ConnectorToken.decode(this.token.encode() + "*"))
			.withMessageContaining("it is not valid base64url");
	}

	@Test
	void anotherVersionIsNamed() {
		String text = "warp2." + this.token.encode().substring("warp1.".length());
		assertThat(ConnectorToken.isConnectorToken(text)).isTrue();
		assertThatExceptionOfType(InvalidTokenException.class).isThrownBy(() -> ConnectorToken.decode(text))
			.withMessageStartingWith("it is a version 2 token, and this agent reads version 1 only");
	}

	@Test
	void anAccountTokenIsNoConnectorToken() {
		assertThat(ConnectorToken.isConnectorToken("warp_0123456789ab.secret")).isFalse();
		assertThatExceptionOfType(InvalidTokenException.class)
			.isThrownBy(() -> ConnectorToken.decode("warp_0123456789ab.secret"))
			.withMessageStartingWith("it is not a Warp connector token");
	}

	@Test
	void aPinIsTheHashOfTheCaPublicKey() {
		CaPin pin = CaPin.of(CA.certificate());
		assertThat(pin.toString()).matches("sha256:[0-9a-f]{64}");
		assertThat(CaPin.parse(pin.toString())).isEqualTo(pin);
		assertThat(pin.matches(CA.certificate())).isTrue();
		assertThat(pin.matches(CertificateAuthority.create("Other CA", Clock.systemUTC()).certificate())).isFalse();
	}

}
