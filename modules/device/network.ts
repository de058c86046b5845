/* The local address and name resolution over Moddable's `net`; the SDK's word for no network. */

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

/**
 * Whether the SDK refused a socket for want of a network. On the ESP32 its sockets throw "no
 * network" while Wi-Fi has no interface up (modules/io/common/builtinCommon.h CHECK_NETWORK_SAFE
 * for the ECMA-419 UDP and TCP sockets; modules/network/socket/lwip/modSocket.c xs_socket for
 * the `socket` module's, which mdns, mqtt and http's Request use; its Listener does not check).
 * A debug build adds where it was thrown: "no network (in …)".
 */
export function isNoNetworkMessage(message: string): boolean {
	return message.startsWith("no network");
}

