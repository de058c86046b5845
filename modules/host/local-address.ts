/*
 * The door's address as the PBX sees it (Via, Contact, the SDP's c=): the local address the
 * system routes toward the PBX. It is found again at each lookup of the PBX's name, which the user
 * agent makes before its first REGISTER, for a PBX saved on the page and before an attempt after
 * a failure, so a PBX on another network, or a name the resolver knows only later, is followed,
 * as the device's address is always the one its Wi-Fi has now.
 */

import { localAddressToward, resolveHost } from "./network.js";

export class LocalAddress {
	/** Loopback until a lookup of the PBX has found a route. */
	address = "127.0.0.1";
	/** Counts the lookups: only the newest one's route counts, not one a newer lookup overtook. */
	#lookups = 0;

	/** resolveHost for the PBX's name: the route toward the address found is taken before the caller hears of it. */
	resolve(host: string, callback: (error: Error | undefined, address?: string) => void): void {
		const lookup = ++this.#lookups;
		resolveHost(host, (error, address) => {
			if (error || !address) return callback(error, address);
			void localAddressToward(address).then((local) => {
				if (lookup === this.#lookups) this.address = local;
				callback(undefined, address);
			});
		});
	}
}
