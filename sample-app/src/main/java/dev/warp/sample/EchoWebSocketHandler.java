package dev.warp.sample;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * Sends every text and binary message back on the same session. Speaks the subprotocol
 * {@value #SUBPROTOCOL} when the client asks for it.
 */
class EchoWebSocketHandler implements WebSocketHandler {

	static final String SUBPROTOCOL = "echo.v1";

	@Override
	public List<String> getSubProtocols() {
		return List.of(SUBPROTOCOL);
	}

	@Override
	public Mono<Void> handle(WebSocketSession session) {
		return session.send(session.receive()
			.filter(EchoWebSocketHandler::isData)
			// The server may release an inbound message once it is handed on; retain it
			// until it has been sent back.
			.map(WebSocketMessage::retain));
	}

	private static boolean isData(WebSocketMessage message) {
		return message.getType() == WebSocketMessage.Type.TEXT || message.getType() == WebSocketMessage.Type.BINARY;
	}

}
