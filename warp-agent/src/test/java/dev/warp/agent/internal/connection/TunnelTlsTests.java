package dev.warp.agent.internal.connection;

import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TunnelTlsTests {

	@Test
	void boringSslIsUsedWhenItIsAvailable() {
		assertThat(TunnelTls.provider(true)).isEqualTo(SslProvider.OPENSSL);
	}

	@Test
	void jdkTlsIsUsedWhenBoringSslIsAbsent() {
		assertThat(TunnelTls.provider(false)).isEqualTo(SslProvider.JDK);
	}

}
