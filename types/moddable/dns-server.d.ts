/* Moddable `dns/server` (modules/network/dns/dnsserver.js): answers A queries over UDP. */
declare module "dns/server" {
	export default class DNSServer {
		/**
		 * Listens on UDP port 53. For each A query `callback(1, name)` is asked; the IPv4 address
		 * it returns is sent back as the answer, nothing is sent when it returns "".
		 */
		constructor(callback: (message: number, value?: string) => string);
		close(): void;
	}
}
