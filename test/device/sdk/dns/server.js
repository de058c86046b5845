/*
 * A model of the Moddable SDK's `dns/server` for the XS test host. Its UDP socket is the `socket`
 * module's, which throws "no network" while the ESP-IDF has no default interface
 * (modules/network/socket/lwip/modSocket.c, xs_socket): `refuse` is how many of the next servers
 * meet that. Like the SDK 8.2.3 server (modules/network/dns/dnsserver.js), its socket callback
 * answers a query of type A only, asking its client for the address (`client(1, name)`), and
 * builds the answer from the whole query with the record appended after it (whatever records
 * the query had after its question, an EDNS OPT record among them, stay in front); other types
 * get nothing. The test plays the network with `deliver(bytes, address, port)` and reads what
 * went out in `sent` ({ address, port, bytes }).
 */
export default class DNSServer {
	static open = 0;
	static refuse = 0;
	static last;
	client;
	sent = [];
	#datagram;
	constructor(callback) {
		if (DNSServer.refuse > 0) {
			DNSServer.refuse--;
			throw new Error("no network");
		}
		this.client = callback;
		DNSServer.open++;
		DNSServer.last = this;
	}
	deliver(bytes, address, port) {
		this.#datagram = bytes;
		try {
			this.callback(2, bytes.length, address, port);
		} finally {
			this.#datagram = undefined;
		}
	}
	read(type, count) {
		return this.#datagram.slice(0, count).buffer;
	}
	write(address, port, buffer) {
		this.sent.push({ address, port, bytes: new Uint8Array(buffer) });
	}
	callback(message, value, address, port) {
		if (message !== 2) return;
		const query = new Uint8Array(this.read(ArrayBuffer, value));
		let at = 12;
		const labels = [];
		while (query[at]) {
			labels.push(String.fromCharCode(...query.subarray(at + 1, at + 1 + query[at])));
			at += 1 + query[at];
		}
		if (((query[at + 1] << 8) | query[at + 2]) !== 1) return;
		const result = this.client(1, labels.join("."));
		if (!result) return;
		const answer = new Uint8Array(query.length + 16);
		answer.set(query);
		answer[2] |= 0x80;
		answer[6] = query[4];
		answer[7] = query[5];
		answer.set([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...result.split(".").map(Number)], query.length);
		this.write(address, port, answer.buffer);
	}
	close() {
		DNSServer.open--;
	}
}
