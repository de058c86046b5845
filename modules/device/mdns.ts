/*
 * The door's name on the LAN through the SDK's `mdns` module: it claims `<name>.local` (probing
 * first; a name another device holds becomes `<name>-2` and so on) and, once it has a name,
 * announces the web page as an `_http._tcp` service.
 *
 * Off where the manifest's config says `mdns: false` (the lin build): the SDK's Linux socket
 * (modules/network/socket/lin/modSocket.c, SDK 8.2.3) cannot make the multicast socket `mdns`
 * needs, and the one it fails to make breaks the web server later:
 * - `xs_socket` tests `inet_pton` the wrong way round (`0 != inet_pton(...)`, which returns 1 for
 *   a good address), so every `multicast` address throws "invalid multicast IP address", after
 *   the host data is set and before `socket()`, with the descriptor still 0 from `c_calloc`;
 * - when the garbage collector takes that half-built Socket, `xs_socket_destructor` ->
 *   `doDestructor` closes every descriptor but -1, so it closes descriptor 0 (the process's stdin);
 * - the next connection accepted gets descriptor 0, and `listenerServiceTimerCallback` takes
 *   only `accept(...) > 0` as a connection: it is accepted, never handed to the Listener's
 *   callback, and never answered (its descriptor stays open).
 * So the first request after the first collection that follows Wi-Fi's "connected" (a
 * `GET /health?gc=1`, or any collection) got no answer. Not making the socket avoids all three.
 * The ESP32's socket (modules/network/socket/lwip/modSocket.c) checks the address the right way,
 * keeps lwIP pointers that stay NULL until made, and its listener hands every accepted
 * connection to the callback or aborts it (a reset, not silence): it has none of this.
 */

import MDNS from "mdns";
import type { LocalNameAnnouncer, Logger } from "../ports.js";

/** The message code of the `mdns` callback that reports the claimed name (MDNS.hostName in the SDK). */
const CLAIMED_NAME = 1;

export function deviceAnnouncer(httpPort: number, log: Logger, enabled: boolean): LocalNameAnnouncer {
	const announcer = new Announcer(httpPort, log, enabled);
	return announcer.announce.bind(announcer);
}

/*
 * A class with bound methods rather than closures: on the device a function this preloaded
 * module makes at run time costs a copy of its code in the XS heap for as long as it is kept.
 */
class Announcer {
	#httpPort: number;
	#log: Logger;
	#enabled: boolean;
	#mdns: MDNS | undefined;

	constructor(httpPort: number, log: Logger, enabled: boolean) {
		this.#httpPort = httpPort;
		this.#log = log;
		this.#enabled = enabled;
	}

	announce(hostName: string): void {
		if (!this.#enabled) {
			this.#log.info(`mDNS: off in this build (manifest config mdns); the device would answer as ${hostName}.local`);
			return;
		}
		const service = { name: "http", protocol: "tcp", port: this.#httpPort, txt: { path: "/sip" } };
		try {
			// The name is reported after probing, asynchronously: #mdns is set by then.
			this.#mdns = new MDNS({ hostName }, this.#claimed.bind(this, service));
		} catch (error) {
			this.#log.warn(`mDNS: cannot announce ${hostName}.local: ${(error as Error)?.message ?? error}`);
		}
	}

	#claimed(service: Parameters<MDNS["add"]>[0], message: number, value?: string): void {
		if (message !== CLAIMED_NAME || !value) return;
		const port = this.#httpPort;
		this.#log.info(`mDNS: http://${value}.local${port === 80 ? "" : `:${port}`}/sip`);
		this.#mdns?.add(service);
	}
}
