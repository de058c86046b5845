import dgram from "node:dgram";
import { lookup } from "node:dns";
import { isIP } from "node:net";
import { loopbackGuardFromEnv, type LoopbackGuard } from "./loopback-guard.js";

/**
 * Resolves a host name to an IPv4 address; numeric addresses pass through. Under the loopback
 * guard (tests) only `localhost` is looked up: any other name would ask a DNS server. The
 * address it gives is checked where a packet is sent to it.
 */
export function resolveHost(host: string, callback: (error: Error | undefined, address?: string) => void, guard: LoopbackGuard | undefined = loopbackGuardFromEnv()): void {
	if (isIP(host)) {
		queueMicrotask(() => callback(undefined, host));
		return;
	}
	if (guard && !guard.allowsLookup(host)) {
		queueMicrotask(() => callback(new Error(`not looked up: only localhost while the loopback guard is on`)));
		return;
	}
	lookup(host, { family: 4 }, (error, address) => callback(error ?? undefined, address));
}

/** A port for the connect below: the system picks the route by the address alone. */
const ANY_PORT = 9;

/** The local IPv4 address the system would use to reach `address` (a UDP connect sends nothing). */
export function localAddressToward(address: string): Promise<string> {
	return new Promise((resolve) => {
		const socket = dgram.createSocket("udp4");
		socket.on("error", () => {
			socket.close();
			resolve("127.0.0.1");
		});
		socket.connect(ANY_PORT, address, () => {
			const local = socket.address().address;
			socket.close();
			resolve(local);
		});
	});
}
