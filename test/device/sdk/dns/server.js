/*
 * A model of the Moddable SDK's `dns/server` for the XS test host: it answers nothing, it is only
 * made and closed. Its UDP socket is the `socket` module's, which throws "no network" while the
 * ESP-IDF has no default interface (modules/network/socket/lwip/modSocket.c, xs_socket): `refuse`
 * is how many of the next servers meet that.
 */
export default class DNSServer {
	static open = 0;
	static refuse = 0;
	#callback;
	constructor(callback) {
		if (DNSServer.refuse > 0) {
			DNSServer.refuse--;
			throw new Error("no network");
		}
		this.#callback = callback;
		DNSServer.open++;
	}
	/** What the server would answer for an A query. */
	answer(name) {
		return this.#callback(1, name);
	}
	close() {
		DNSServer.open--;
	}
}
