/* The local address and name resolution over Moddable's `net`. */

import Net from "net";

/**
 * Whether s is four groups of 1 to 3 digits joined by dots. A scan rather than a RegExp: the
 * local address is read for every SIP message the door writes, and on the device a RegExp is
 * compiled where it is used (a preloaded module may not make one while it loads).
 */
function isIpv4Text(s: string): boolean {
	let groups = 0, digits = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c >= 0x30 && c <= 0x39) {
			if (++digits > 3) return false;
		} else if (c === 0x2e && digits > 0 && groups < 3) {
			groups++;
			digits = 0;
		} else return false;
	}
	return groups === 3 && digits > 0;
}

/** The station's IPv4 address, or 0.0.0.0 while there is none. */
export function deviceLocalAddress(): string {
	const address = Net.get("IP");
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

/** This doorbell's id for MQTT: the station MAC address as 12 lowercase hex digits. */
export function deviceId(): string {
	const mac = (Net.get("MAC") ?? "").replace(/[^0-9A-Fa-f]/g, "").toLowerCase();
	return mac.length === 12 ? mac : "000000000000";
}
