/*
 * The door's name on the LAN through the SDK's `mdns` module: it claims `<name>.local` (probing
 * first; a name another device holds becomes `<name>-2` and so on) and, once it has a name,
 * announces the web page as an `_http._tcp` service.
 */

import MDNS from "mdns";
import type { LocalNameAnnouncer, Logger } from "../ports.js";

/** The message code of the `mdns` callback that reports the claimed name (MDNS.hostName in the SDK). */
const CLAIMED_NAME = 1;

export function deviceAnnouncer(httpPort: number, log: Logger): LocalNameAnnouncer {
	return (hostName) => {
		const service = { name: "http", protocol: "tcp", port: httpPort, txt: { path: "/sip" } };
		try {
			// The name is reported after probing, asynchronously: `mdns` is set by then.
			const mdns: MDNS = new MDNS({ hostName }, (message, value) => {
				if (message !== CLAIMED_NAME || !value) return;
				log.info(`mDNS: http://${value}.local${httpPort === 80 ? "" : `:${httpPort}`}/sip`);
				mdns.add(service);
			});
		} catch (error) {
			log.warn(`mDNS: cannot announce ${hostName}.local: ${(error as Error)?.message ?? error}`);
		}
	};
}
