package dev.warp.agent.internal.connection;

import io.netty.handler.ssl.NotSslRecordException;

/** The edge address answered plain HTTP where TLS was expected. */
final class PlainHttpAnswerException extends NotSslRecordException {

	PlainHttpAnswerException() {
		super("not an SSL/TLS record: the peer answered plain HTTP");
	}

}
