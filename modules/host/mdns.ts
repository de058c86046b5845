/*
 * The simulator announces nothing on the LAN: every packet of a test stays on loopback, and a
 * laptop already has a name. It says which name the device would claim.
 */

import type { LocalNameAnnouncer, Logger } from "../ports.js";

export function hostAnnouncer(log: Logger): LocalNameAnnouncer {
	return (hostName) => {
		log.info(`mDNS: not in the simulator (no multicast); the device answers as ${hostName}.local`);
		return true;
	};
}
