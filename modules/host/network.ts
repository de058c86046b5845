import dgram from "node:dgram";
import { lookup } from "node:dns";
import { isIP } from "node:net";

/** Resolves a host name to an IPv4 address; numeric addresses pass through. */
export function resolveHost(host: string, callback: (error: Error | undefined, address?: string) => void): void {
	if (isIP(host)) {
		queueMicrotask(() => callback(undefined, host));
		return;
	}
	lookup(host, { family: 4 }, (error, address) => callback(error ?? undefined, address));
}

/** The local IPv4 address the system would use to reach `address` (a UDP connect sends nothing). */
export function localAddressToward(address: string, port: number): Promise<string> {
	return new Promise((resolve) => {
		const socket = dgram.createSocket("udp4");
		socket.on("error", () => {
			socket.close();
			resolve("127.0.0.1");
		});
		socket.connect(port, address, () => {
			const local = socket.address().address;
			socket.close();
			resolve(local);
		});
	});
}
