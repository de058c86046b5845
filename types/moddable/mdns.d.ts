/* Moddable `mdns` (modules/network/mdns): claims a .local name and announces services. */
declare module "mdns" {
	interface MDNSService {
		name: string;
		protocol: string;
		port: number;
		txt: Record<string, string>;
	}
	class MDNS {
		/** Message 1 of `callback` reports the claimed name in `value`. */
		constructor(options: { hostName: string }, callback?: (message: number, value?: string) => void);
		add(service: MDNSService): void;
		update(service: MDNSService): void;
		remove(service: MDNSService | string): void;
	}
	export default MDNS;
}
