/* A model of the Moddable SDK's `dns/server` for the XS test host: it answers nothing, it is only made and closed. */
export default class DNSServer {
	static open = 0;
	#callback;
	constructor(callback) {
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
