/* The local address and name resolution over Moddable's `net`. */

import Net from "net";
import { isIpv4Text } from "../ipv4-text.js";

/** The station's IPv4 address, or 0.0.0.0 while there is none. */
export function deviceLocalAddress(): string {
	// Named: without an interface the SDK answers only while Wi-Fi runs one, and none while the
	// set-up access point is open beside the station.
	const address = Net.get("IP", "station");
	return address && isIpv4Text(address) ? address : "0.0.0.0";
}

/** Resolves a host name (e.g. "fritz.box") to an IPv4 address; numeric addresses pass through. */
export function deviceResolve(host: string, callback: (error: Error | undefined, address?: string) => void): void {
	if (isIpv4Text(host)) {
		Promise.resolve().then(() => callback(undefined, host));
		return;
	}
	try {
		Net.resolve(host, (_name: string, address?: string) => {
			if (address) callback(undefined, address);
			else callback(new Error(`cannot resolve ${host}`));
		});
	} catch (error) {
		Promise.resolve().then(() => callback(new Error(`cannot resolve ${host} now (${(error as Error)?.message ?? error})`)));
	}
}
