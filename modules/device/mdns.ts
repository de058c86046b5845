/*
 * The door's name on the LAN through the SDK's `mdns` module: it claims `<name>.local` (probing
 * first; a name another device holds becomes `<name>-2` and so on) and, once it has a name,
 * announces the web page as an `_http._tcp` service.
 *
 * Only once Net.get("IP") without an interface has an address: the SDK's mdns takes the door's
 * address from it (its probe), or from Net.get("IP", undefined or the querier's address) (its
 * announcements and answers), which modNet.c's getNIF answers the same way (its search of the
 * interfaces by address starts at NULL and ends there). On the ESP32 that is the address of
 * Wi-Fi's one interface, and while the set-up access point is open beside the station (two
 * minutes after a join) there is none: every probe, announcement and answer then carried an A
 * record with no address, and a tie-break with another prober for the name threw (`.split` of
 * undefined). The announcer looks again every ADDRESS_WAIT_MS until there is one.
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
import Net from "net";
import type { Clock, LocalNameAnnouncer, Logger, TimerId } from "../ports.js";
import { isNoNetworkMessage } from "./network.js";

/** The message code of the `mdns` callback that reports the claimed name (MDNS.hostName in the SDK). */
const CLAIMED_NAME = 1;
/** How often the announcer looks again for an address the SDK's mdns can state. */
const ADDRESS_WAIT_MS = 2000;

export function deviceAnnouncer(httpPort: number, log: Logger, enabled: boolean, clock: Clock): LocalNameAnnouncer {
	const announcer = new Announcer(httpPort, log, enabled, clock);
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
	#clock: Clock;
	#mdns: MDNS | undefined;
	#hostName = "";
	#waiting: TimerId | undefined;
	readonly #startLater: () => void;

	constructor(httpPort: number, log: Logger, enabled: boolean, clock: Clock) {
		this.#httpPort = httpPort;
		this.#log = log;
		this.#enabled = enabled;
		this.#clock = clock;
		this.#startLater = this.#retry.bind(this);
	}

	announce(hostName: string): boolean {
		if (!this.#enabled) {
			this.#log.info(`mDNS: off in this build (manifest config mdns); the device would answer as ${hostName}.local`);
			return true;
		}
		this.#hostName = hostName;
		if (this.#waiting !== undefined) return true;
		if (Net.get("IP")) return this.#start();
		this.#log.info(`mDNS: ${hostName}.local once the set-up access point has closed`);
		this.#waiting = this.#clock.setInterval(this.#startLater, ADDRESS_WAIT_MS);
		return true;
	}

	#retry(): void {
		if (!Net.get("IP") || !this.#start()) return;
		this.#clock.clearInterval(this.#waiting);
		this.#waiting = undefined;
	}

	/** Starts mDNS (the SDK's mdns finds an address to state); false when the SDK found no network after all. */
	#start(): boolean {
		const hostName = this.#hostName;
		const service = { name: "http", protocol: "tcp", port: this.#httpPort, txt: { path: "/sip" } };
		try {
			// The name is reported after probing, asynchronously: #mdns is set by then.
			this.#mdns = new MDNS({ hostName }, this.#claimed.bind(this, service));
		} catch (error) {
			const message = (error as Error)?.message ?? String(error);
			this.#log.warn(`mDNS: cannot announce ${hostName}.local: ${message}`);
			// The station's address came, and the network went down again before this turn.
			return !isNoNetworkMessage(message);
		}
		return true;
	}

	#claimed(service: Parameters<MDNS["add"]>[0], message: number, value?: string): void {
		if (message !== CLAIMED_NAME || !value) return;
		const port = this.#httpPort;
		this.#log.info(`mDNS: http://${value}.local${port === 80 ? "" : `:${port}`}/sip`);
		this.#mdns?.add(service);
	}
}
