/*
 * A model of the Moddable SDK's `mqtt` Client (SDK 8.2.3, modules/network/mqtt/mqtt.js), as far
 * as modules/device/mqtt.js relies on it, for the XS test host (KLINGEL_XS_EMBEDDED). Like the
 * SDK:
 * - fail(message) calls onClose() (without the message) and then close(), which writes a
 *   DISCONNECT first unless its socket is gone already or it is told to close at once;
 * - a CONNACK with a return code fails as "server rejected mqtt request with code N", a broker
 *   silent for 1.5 keep-alive intervals as "read time out", a socket error (its socket deleted
 *   first) as "socket error N";
 * - the CONNACK that accepts calls onReady().
 * The test plays the network through `Client.last`: connack(code), silence(), socketError(),
 * and reads what went out in `written` ("DISCONNECT", "PUBLISH <topic>").
 */

export default class Client {
	static last;

	constructor(dictionary) {
		this.dictionary = dictionary;
		this.state = 0;
		this.ws = {};
		this.written = [];
		Client.last = this;
	}

	publish(topic) {
		if (this.state < 2) throw new Error("connection closed");
		this.written.push(`PUBLISH ${topic}`);
	}

	subscribe(topic) {
		if (this.state < 2) throw new Error("connection closed");
		this.written.push(`SUBSCRIBE ${topic}`);
	}

	close(immediate) {
		if (this.ws) {
			if (!immediate) this.written.push("DISCONNECT");
			delete this.ws;
		}
		this.state = -1;
	}

	fail(msg = "") {
		this.onClose?.();
		this.close();
	}

	connack(code) {
		if (code) return this.fail(`server rejected mqtt request with code ${code}`);
		this.state = 2;
		this.onReady();
	}

	silence() {
		this.fail("read time out");
	}

	socketError() {
		delete this.ws;
		this.fail("socket error -1");
	}
}
