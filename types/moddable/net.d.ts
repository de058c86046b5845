/* Moddable `net` (modules/network/net). */
declare module "net" {
	const Net: {
		/** The station's IPv4 address, or undefined without a connection. */
		get(property: "IP"): string | undefined;
		/** The address or MAC of one interface: "station" or "ap". */
		get(property: "IP" | "MAC", nif: "station" | "ap"): string | undefined;
		get(property: "SSID"): string | undefined;
		get(property: "MAC"): string | undefined;
		get(property: "RSSI"): number | undefined;
		/** Asynchronous DNS look-up; `address` is undefined when the name does not resolve. Throws when the queue is full. */
		resolve(host: string, callback: (name: string, address?: string) => void): void;
	};
	export default Net;
}
