package dev.warp.sample;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * Sends every text and binary message back on the same session.
 */
class EchoWebSocketHandler implements WebSocketHandler {

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
