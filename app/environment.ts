import type { AudioIn, AudioOut, CorePorts, DigitalIn, DigitalOut, HttpRoutes, KeyValueStore, Sha256 } from "../modules/ports.js";

/** Everything a provider hands the doorbell application at start-up. */
export interface DoorbellEnvironment extends CorePorts {
	sha256: Sha256;
	store: KeyValueStore;
	routes: HttpRoutes;
	button: DigitalIn;
	relay: DigitalOut;
	mic?: AudioIn;
	speaker?: AudioOut;
	/** The local IPv4 address to put in Via, Contact and SDP. */
	localAddress(): string;
	/** Resolves a host name (e.g. "fritz.box") to an IPv4 address; numeric addresses pass through. */
	resolve(host: string, callback: (error: Error | undefined, address?: string) => void): void;
}
