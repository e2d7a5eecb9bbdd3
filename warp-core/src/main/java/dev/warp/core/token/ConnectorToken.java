package dev.warp.core.token;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A connector token: the account token's id and secret, plus what an application needs to reach
 * and trust the edge that made it: the tunnel addresses to dial, the provisioning API's URL and
 * the pin of the edge's CA. One string, so that {@code WARP_TOKEN} is all an application needs.
 *
 * <p>Written {@code warp1.<payload>}: {@code warp1} names the format's version, the payload is
 * base64url (no padding) of
 * <pre>
 * UTF id, UTF secret,
 * unsigned byte n, n x UTF tunnel address (host:port),
 * UTF provisioning URL (https://host:port),
 * 32 bytes: SHA-256 of the CA's SubjectPublicKeyInfo,
 * 4 bytes: CRC-32 of everything before
 * </pre>
 * (UTF: Java's modified UTF-8, a two-byte length then the bytes). The checksum catches a token
 * truncated or altered when copied. The edge keeps only a salted hash of the secret; the
 * bearer credential sent to the provisioning API is {@link #bearer()}.
 * @param id the account token's public id
 * @param secret the account token's secret
 * @param tunnelAddresses the edge's tunnel listeners, {@code host:port}, at least one
 * @param provisioningUrl the edge's provisioning API, {@code https://host:port}
 * @param caPin the pin of the edge's CA
 */
public record ConnectorToken(String id, String secret, List<String> tunnelAddresses, URI provisioningUrl, CaPin caPin) {

	/** The version this code writes and reads. */
	public static final int VERSION = 1;

	private static final String PREFIX = "warp" + VERSION + ".";

	private static final Pattern VERSIONED = Pattern.compile("warp(\\d+)\\.(.*)", Pattern.DOTALL);

	private static final int CHECKSUM_LENGTH = 4;

	public ConnectorToken {
		tunnelAddresses = List.copyOf(tunnelAddresses);
		if (tunnelAddresses.isEmpty() || tunnelAddresses.size() > 255) {
			throw new IllegalArgumentException("A connector token names 1 to 255 tunnel addresses, not "
					+ tunnelAddresses.size());
		}
	}

	/** Whether a text is meant as a connector token ({@code warp<version>.}), readable or not. */
	public static boolean isConnectorToken(String text) {
		return VERSIONED.matcher(text.trim()).matches();
	}

	/** The token as the operator hands it over. */
	public String encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeUTF(this.id);
			out.writeUTF(this.secret);
			out.writeByte(this.tunnelAddresses.size());
			for (String address : this.tunnelAddresses) {
				out.writeUTF(address);
			}
			out.writeUTF(this.provisioningUrl.toString());
			out.write(this.caPin.bytes());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		byte[] payload = bytes.toByteArray();
		byte[] checked = new byte[payload.length + CHECKSUM_LENGTH];
		System.arraycopy(payload, 0, checked, 0, payload.length);
		long crc = crc(payload, payload.length);
		for (int i = 0; i < CHECKSUM_LENGTH; i++) {
			checked[payload.length + i] = (byte) (crc >>> (8 * (CHECKSUM_LENGTH - 1 - i)));
		}
		return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(checked);
	}

	/**
	 * Reads a token.
	 * @throws InvalidTokenException when the text is no connector token, one of another version,
	 * or a damaged one; the message says which
	 */
	public static ConnectorToken decode(String text) {
		Matcher matcher = VERSIONED.matcher(text.trim());
		if (!matcher.matches()) {
			throw new InvalidTokenException("it is not a Warp connector token: those start with '" + PREFIX + "'");
		}
		if (!matcher.group(1).equals(String.valueOf(VERSION))) {
			throw new InvalidTokenException("it is a version " + matcher.group(1) + " token, and this agent reads version "
					+ VERSION + " only: use a warp-spring-boot-starter as recent as the edge, or create the token with an "
					+ "edge of the starter's version");
		}
		byte[] checked;
		try {
			checked = Base64.getUrlDecoder().decode(matcher.group(2));
		}
		catch (IllegalArgumentException ex) {
			throw damaged("it is not valid base64url");
		}
		if (checked.length <= CHECKSUM_LENGTH) {
			throw damaged("it is too short");
		}
		int length = checked.length - CHECKSUM_LENGTH;
		long expected = 0;
		for (int i = 0; i < CHECKSUM_LENGTH; i++) {
			expected = (expected << 8) | (checked[length + i] & 0xFF);
		}
		if (crc(checked, length) != expected) {
			throw damaged("its checksum does not match");
		}
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(checked, 0, length))) {
			String id = in.readUTF();
			String secret = in.readUTF();
			int count = in.readUnsignedByte();
			List<String> addresses = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				addresses.add(in.readUTF());
			}
			URI provisioningUrl = URI.create(in.readUTF());
			byte[] pin = in.readNBytes(CaPin.LENGTH);
			if (pin.length != CaPin.LENGTH || in.available() != 0) {
				throw damaged("its fields do not add up");
			}
			return new ConnectorToken(id, secret, addresses, provisioningUrl, new CaPin(pin));
		}
		catch (IOException | IllegalArgumentException ex) {
			throw (ex instanceof InvalidTokenException invalid) ? invalid : damaged("its fields do not add up");
		}
	}

	/** The credential the provisioning API checks: {@code warp_<id>.<secret>}. */
	public String bearer() {
		return "warp_" + this.id + "." + this.secret;
	}

	private static InvalidTokenException damaged(String why) {
		return new InvalidTokenException("the token is damaged (" + why
				+ "): it was probably truncated or altered when copied; copy the whole line that 'token create' printed");
	}

	private static long crc(byte[] bytes, int length) {
		CRC32 crc = new CRC32();
		crc.update(bytes, 0, length);
		return crc.getValue();
	}

	@Override
	public String toString() {
		// The secret stays out of logs and assertion messages.
		return "ConnectorToken[id=" + this.id + ", tunnelAddresses=" + this.tunnelAddresses + ", provisioningUrl="
				+ this.provisioningUrl + ", caPin=" + this.caPin + "]";
	}

}
