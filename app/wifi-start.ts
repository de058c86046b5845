/*
 * Which network the door uses, decided at start: the build's `ssid` when one was given, else the
 * credentials stored by the set-up page, else none. Without any, or when the chosen network has
 * not given an address within FALLBACK_MS, the door opens its own access point `klingel-XXXX`
 * (WPA2) whose set-up page lists the networks in range; the station keeps trying meanwhile. New
 * credentials from the page are stored and joined at once; once joined, the access point stays
 * open for LINGER_MS so the page can show the new address, then closes.
 */

import type { Clock, KeyValueStore, Logger, RandomBytes, TimerId, WifiNetwork, WifiRadio, WifiRadioFactory } from "../modules/ports.js";
import { accessPointName, accessPointPassword, storedWifi, storeWifi, type WifiCredentials } from "../config/wifi.js";

/** How long a stored network may fail at start before the access point opens. */
export const FALLBACK_MS = 3 * 60_000;
/** How long the access point stays open after the station got an address. */
export const LINGER_MS = 2 * 60_000;
/** The most networks a scan keeps (a crowded street has dozens). */
export const MAX_NETWORKS = 16;
/** A scan list younger than this is shown again instead of scanning (a scan takes seconds). */
const SCAN_FRESH_MS = 10_000;

export interface WifiStartOptions {
	radio: WifiRadioFactory;
	store: KeyValueStore;
	clock: Clock;
	random: RandomBytes;
	log: Logger;
	/** The build's network (manifest config `ssid`, `password`): it wins over stored credentials. */
	build?: WifiCredentials;
	/** The build's access-point password (`ap_password`); a random stored one when empty. */
	accessPointPassword?: string;
	/** Called with the station's address each time it gets one. */
	onConnected?(address: string): void;
	/** Called each time the set-up access point opens: a network of the door's own. */
	onAccessPoint?(): void;
}

export type WifiState = "none" | "joining" | "failed" | "connected";

export class WifiStart {
	readonly #o: WifiStartOptions;
	readonly #radio: WifiRadio;
	#ssid = "";
	#address = "";
	#accessPoint = false;
	#failed = false;
	#fallback: TimerId | undefined;
	#linger: TimerId | undefined;
	#networks: WifiNetwork[] = [];
	#scannedAt = -Infinity;
	#scanning = false;

	constructor(options: WifiStartOptions) {
		this.#o = options;
		this.#radio = options.radio({
			onConnected: this.#connected.bind(this),
			onDisconnected: this.#disconnected.bind(this),
		});
	}

	/** Joins the build's or the stored network, or opens the access point when there is none. */
	start(): void {
		const credentials = this.#o.build?.ssid ? this.#o.build : storedWifi(this.#o.store);
		if (!credentials) {
			this.#o.log.info("Wi-Fi: no network set up yet");
			this.openAccessPoint();
			return;
		}
		this.#join(credentials);
	}

	/** Opens the set-up access point (the station, if any, keeps trying). */
	openAccessPoint(): void {
		if (this.#accessPoint) return;
		const name = accessPointName(this.#radio.id);
		const password = accessPointPassword(this.#o.store, this.#o.random, this.#o.accessPointPassword);
		this.#radio.openAccessPoint(name, password);
		this.#accessPoint = true;
		// The one place the access point's password is shown: the serial console of the door itself.
		this.#o.log.info(`Wi-Fi set-up: join the network "${name}" (password ${password}) and open http://${this.#radio.accessPointAddress()}/wifi`);
		this.scan();
		this.#o.onAccessPoint?.();
	}

	/** Where the station is: no network chosen, joining, failing to join, or with an address. */
	get state(): WifiState {
		return this.#address ? "connected" : !this.#ssid ? "none" : this.#failed ? "failed" : "joining";
	}

	/** Whether the door has a network: the station's address, or the open access point. */
	get online(): boolean {
		return this.#address !== "" || this.#accessPoint;
	}

	/** The network joined or being joined ("" when none). */
	get ssid(): string {
		return this.#ssid;
	}

	/** The station's address on the home network ("" until it has one). */
	get address(): string {
		return this.#address;
	}

	/** The access point's own address while it is open, else "". */
	get accessPointAddress(): string {
		return this.#accessPoint ? this.#radio.accessPointAddress() : "";
	}

	/** Whether the build fixed the network (the page then cannot change it). */
	get fixedByBuild(): boolean {
		return !!this.#o.build?.ssid;
	}

	/** The networks in range from the last scan, strongest first. */
	get networks(): readonly WifiNetwork[] {
		return this.#networks;
	}

	/** Starts a new scan unless the last one is fresh or one is running. */
	scan(): void {
		if (this.#scanning || this.#o.clock.now() - this.#scannedAt < SCAN_FRESH_MS) return;
		this.#scanning = true;
		try {
			this.#radio.scan(MAX_NETWORKS, (networks) => {
				this.#scanning = false;
				this.#scannedAt = this.#o.clock.now();
				this.#networks = networks.slice(0, MAX_NETWORKS);
			});
		} catch (error) {
			this.#scanning = false;
			this.#o.log.warn(`Wi-Fi: scan failed (${(error as Error)?.message ?? error})`);
		}
	}

	/** Stores new credentials from the set-up page and joins them. */
	choose(credentials: WifiCredentials): void {
		storeWifi(this.#o.store, credentials);
		this.#o.log.info(`Wi-Fi: network "${credentials.ssid}" stored`);
		this.#address = "";
		this.#join(credentials);
	}

	#join(credentials: WifiCredentials): void {
		this.#ssid = credentials.ssid;
		this.#failed = false;
		this.#o.log.info(`Wi-Fi: joining "${credentials.ssid}"`);
		if (this.#fallback !== undefined) this.#o.clock.clearTimeout(this.#fallback);
		this.#fallback = this.#o.clock.setTimeout(() => {
			this.#fallback = undefined;
			if (this.#address) return;
			this.#failed = true;
			this.#o.log.warn(`Wi-Fi: no address from "${credentials.ssid}" after ${FALLBACK_MS / 1000} s; opening the set-up access point`);
			this.openAccessPoint();
		}, FALLBACK_MS);
		this.#radio.join(credentials.ssid, credentials.password);
	}

	#connected(address: string): void {
		this.#address = address;
		this.#failed = false;
		if (this.#fallback !== undefined) this.#o.clock.clearTimeout(this.#fallback);
		this.#fallback = undefined;
		this.#o.log.info(`Wi-Fi: connected to "${this.#ssid}", address ${address}`);
		if (this.#accessPoint && this.#linger === undefined) {
			this.#linger = this.#o.clock.setTimeout(() => {
				this.#linger = undefined;
				if (!this.#address) return;
				this.#radio.closeAccessPoint();
				this.#accessPoint = false;
				this.#o.log.info("Wi-Fi: set-up access point closed");
			}, LINGER_MS);
		}
		this.#o.onConnected?.(address);
	}

	#disconnected(): void {
		if (this.#address) this.#o.log.warn(`Wi-Fi: connection to "${this.#ssid}" lost`);
		else if (this.#ssid && this.#accessPoint) this.#failed = true;
		this.#address = "";
	}
}
