/* Moddable `net` (modules/network/net). */
declare module "net" {
	const Net: {
		/**
		 * The IPv4 address of the one interface Wi-Fi runs: the station's, or the access point's
		 * when it runs alone. On ESP32 undefined with both at once (station and access point,
		 * modNet.c's getNIF finds none), before Wi-Fi is initialised, and without an address.
		 * The Linux simulator's: the computer's first address other than 127.0.0.1.
		 */
		get(property: "IP"): string | undefined;
		/**
		 * The address or MAC of one interface, "station" or "ap"; undefined where Wi-Fi does not
		 * run it, and before Wi-Fi is initialised (on ESP32). The Linux simulator ignores the
		 * interface, and has no MAC.
		 */
		get(property: "IP" | "MAC", nif: "station" | "ap"): string | undefined;
		get(property: "SSID"): string | undefined;
		/** The MAC of the one interface Wi-Fi runs, as get("IP") chooses it. */
		get(property: "MAC"): string | undefined;
		get(property: "RSSI"): number | undefined;
		/** Asynchronous DNS look-up; `address` is undefined when the name does not resolve. Throws when the queue is full. */
		resolve(host: string, callback: (name: string, address?: string) => void): void;
	};
	export default Net;
}
