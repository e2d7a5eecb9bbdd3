package dev.warp.edge.acme;

/** A certificate the edge does not order now: a hostname outside its zones, or one in its back-off. */
public final class AcmeRefusedException extends RuntimeException {

	AcmeRefusedException(String message) {
		super(message, null, false, false);
	}

}
