/*
 * A model of the Moddable SDK's `mdns` (modules/network/mdns/mdns.js) for the XS test host, as
 * far as its probe goes: each of the four probes states the name's address as Net.get("IP")
 * gives it, without an interface (mdns.js's probe), and after the fourth the name is claimed
 * (callback(1, name)). The test runs the probes (`probe()`) instead of a timer.
 */
import Net from "net";

export default class MDNS {
	/** Every one made, in order. */
	static made = [];
	hostName;
	/** The address each probe stated (undefined where Net.get("IP") had none). */
	probed = [];
	services = [];
	#callback;
	constructor(dictionary, callback) {
		this.hostName = dictionary.hostName;
		this.#callback = callback ?? function () {};
		MDNS.made.push(this);
	}
	probe() {
		for (let i = 0; i < 4; i++) this.probed.push(Net.get("IP"));
		this.#callback(1, this.hostName);
	}
	add(service) {
		this.services.push(service);
	}
	update(service) {}
	remove(service) {}
}
