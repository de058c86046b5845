/*
 * The Wi-Fi radio over the SDK's `wifi` module: the station joins the home network and rejoins
 * after a loss (5 s, doubling up to 60 s: the ESP-IDF's own retries end after a few attempts);
 * the set-up access point runs beside the station (mode 3), with a DNS server on the SDK's
 * `dns/server` socket answering every name with the access point's address
 * (modules/captive-dns.ts), so that a phone's captive-portal check opens the set-up page. The
 * first address sets the wall clock by SNTP (the SDK's setup/network did this before; the
 * firmware now joins Wi-Fi itself).
 */

import WiFi from "wifi";
import DNSServer from "dns/server";
import Net from "net";
import SNTP from "sntp";
import Time from "time";
import type { Clock, Logger, TimerId, WifiNetwork, WifiRadio, WifiRadioFactory, WifiRadioOptions } from "../ports.js";
import { isNoNetworkMessage } from "./network.js";
import { captiveDnsAnswer } from "../captive-dns.js";

/** The address the ESP-IDF gives its access point when none is configured. */
const DEFAULT_AP_ADDRESS = "192.168.4.1";
/** The message of the SDK socket's callback for a datagram that arrived. */
const DATAGRAM = 2;
const FIRST_PAUSE_MS = 5000;
const MAX_PAUSE_MS = 60000;
/** How often the captive-portal DNS server is tried again while the SDK has no network for it. */
const DNS_RETRY_MS = 1000;

export interface DeviceWifiOptions {
	clock: Clock;
	log: Logger;
	/** The web server's port, for the captive portal's address. */
	httpPort: number;
	/** The NTP server (manifest config `sntp`); empty: the clock is not set. */
	sntp: string;
}

function lastMacBytes(mac: string | undefined): string {
	const hex = (mac ?? "").replace(/:/g, "").toUpperCase();
	return /^[0-9A-F]{12}$/.test(hex) ? hex.slice(8) : "0000";
}

export function deviceWifi(options: DeviceWifiOptions): WifiRadioFactory {
	return makeRadio.bind(undefined, options);
}

function makeRadio(options: DeviceWifiOptions, events: WifiRadioOptions): DeviceWifiRadio {
	return new DeviceWifiRadio(options, events);
}

/*
 * A class, not a closure with closures in it: on the device a function made at run time by a
 * preloaded module gets a copy of its code (nested functions' code included) in the XS chunk
 * heap, while methods stay in flash. The SDK's callbacks get bound methods (references only).
 */
class DeviceWifiRadio implements WifiRadio {
	readonly id: string;
	#options: DeviceWifiOptions;
	#events: WifiRadioOptions;
	#credentials: { ssid: string; password?: string } | undefined;
	#retry: TimerId | undefined;
	#pause = FIRST_PAUSE_MS;
	#dns: DNSServer | undefined;
	#dnsRetry: TimerId | undefined;
	#accessPoint = false;
	#timeSet = false;
	readonly #connectLater: () => void;
	readonly #openDnsLater: () => void;

	constructor(options: DeviceWifiOptions, events: WifiRadioOptions) {
		this.#options = options;
		this.#events = events;
		this.#connectLater = this.#connect.bind(this);
		this.#openDnsLater = this.#openDns.bind(this);
		// The station first: the ESP32's Wi-Fi starts uninitialised, which `mode` reports as off
		// (-5; the simulator's as none, 0), and whatever call initialises it sets the mode for
		// good. Left to WiFi.accessPoint, that is the access point alone, which ignores
		// `station: true`, and joining the home network from the set-up page then fails.
		if (WiFi.mode <= WiFi.Mode.none) WiFi.mode = WiFi.Mode.station;
		// The instance only listens: connecting is done by the static calls.
		new WiFi(undefined, this.#onMessage.bind(this));
		// Only now: before Wi-Fi is initialised the SDK has no interface to read a MAC from.
		this.id = lastMacBytes(Net.get("MAC", "station"));
	}

	join(ssid: string, password: string): void {
		this.#credentials = password ? { ssid, password } : { ssid };
		this.#pause = FIRST_PAUSE_MS;
		if (this.#retry !== undefined) this.#options.clock.clearTimeout(this.#retry);
		this.#connect();
	}

	openAccessPoint(ssid: string, password: string): void {
		// `station` keeps the station interface up beside the access point (xs6wifi.c reads it;
		// the SDK's typings leave it out, so the options are not given as a literal).
		const options = { ssid, password, station: true };
		WiFi.accessPoint(options);
		this.#accessPoint = true;
		if (!this.#dns && this.#dnsRetry === undefined) this.#openDns();
	}

	closeAccessPoint(): void {
		if (this.#dnsRetry !== undefined) this.#options.clock.clearTimeout(this.#dnsRetry);
		this.#dnsRetry = undefined;
		this.#dns?.close();
		this.#dns = undefined;
		this.#accessPoint = false;
		WiFi.mode = WiFi.Mode.station;
	}

	accessPointAddress(): string {
		if (!this.#accessPoint) return "";
		const address = apAddress();
		return this.#options.httpPort === 80 ? address : `${address}:${this.#options.httpPort}`;
	}

	scan(max: number, done: (networks: WifiNetwork[]) => void): void {
		const found: WifiNetwork[] = [];
		WiFi.scan({}, (item) => {
			if (item) {
				// Each name once (a mesh shows one per access point), at its strongest.
				const seen = found.find((n) => n.ssid === item.ssid);
				if (seen) seen.rssi = Math.max(seen.rssi, item.rssi);
				else if (item.ssid && found.length < 4 * max) found.push({ ssid: item.ssid, rssi: item.rssi, secure: item.authentication !== "none" });
				return;
			}
			done(found.sort((a, b) => b.rssi - a.rssi).slice(0, max));
		});
	}

	#onMessage(message: unknown): void {
		if (message === WiFi.gotIP) {
			this.#pause = FIRST_PAUSE_MS;
			if (this.#retry !== undefined) this.#options.clock.clearTimeout(this.#retry);
			this.#retry = undefined;
			this.#events.onConnected(Net.get("IP", "station") ?? Net.get("IP") ?? "0.0.0.0");
			this.#setTime();
		} else if (message === WiFi.disconnected || message === WiFi.lostIP) {
			this.#events.onDisconnected();
			this.#retryLater();
		}
	}

	#connect(): void {
		this.#retry = undefined;
		if (!this.#credentials) return;
		try {
			WiFi.connect(this.#credentials);
		} catch (error) {
			this.#options.log.warn(`Wi-Fi: connect failed (${(error as Error)?.message ?? error})`);
			this.#retryLater();
		}
	}

	/**
	 * Every name is the door while a phone is on its access point (A queries only). The SDK's
	 * `socket` refuses with "no network" until the ESP-IDF has a default interface, which it
	 * sets only when its event task has handled an interface's start, after WiFi.accessPoint
	 * may have returned: then it is tried again each second while the access point is open
	 * (else a fresh door would have no captive portal until the next restart).
	 */
	#openDns(): void {
		const first = this.#dnsRetry === undefined;
		this.#dnsRetry = undefined;
		if (!this.#accessPoint) return;
		try {
			this.#dns = new CaptiveDns(noAnswer);
			if (!first) this.#options.log.info("Wi-Fi: captive-portal DNS open");
		} catch (error) {
			const message = String((error as Error)?.message ?? error);
			if (isNoNetworkMessage(message)) {
				if (first) this.#options.log.warn(`Wi-Fi: captive-portal DNS waits for the network (${message})`);
				this.#dnsRetry = this.#options.clock.setTimeout(this.#openDnsLater, DNS_RETRY_MS);
				return;
			}
			// E.g. the lin build without the right to port 53: the page is still at the address.
			this.#options.log.warn(`Wi-Fi: no captive-portal DNS (${message})`);
		}
	}

	#retryLater(): void {
		if (this.#retry !== undefined || !this.#credentials) return;
		this.#retry = this.#options.clock.setTimeout(this.#connectLater, this.#pause);
		this.#pause = Math.min(this.#pause * 2, MAX_PAUSE_MS);
	}

	#setTime(): void {
		const { sntp, log } = this.#options;
		if (this.#timeSet || !sntp) return;
		this.#timeSet = true;
		try {
			new SNTP({ host: sntp }, onSntp.bind(undefined, log));
		} catch (error) {
			log.warn(`Wi-Fi: SNTP failed (${(error as Error)?.message ?? error})`);
		}
	}
}

/** The access point's own address (the SDK's default when it reports none). */
function apAddress(): string {
	return Net.get("IP", "ap") ?? DEFAULT_AP_ADDRESS;
}

/**
 * The SDK's DNS server (its UDP socket on port 53, opened and closed as the SDK does) with the
 * captive portal's answers (modules/captive-dns.ts): its own answer A queries only, leaving a
 * phone's AAAA and HTTPS queries to time out, and put an EDNS query's OPT record where the
 * answer belongs.
 */
class CaptiveDns extends DNSServer {
	/** The socket's callback, which the SDK's server defines to answer (its typings leave out the socket beneath). */
	callback(message: number, value: number, address: string, port: number): void {
		if (message !== DATAGRAM) return;
		const socket = this as unknown as DatagramSocket;
		const answer = captiveDnsAnswer(new Uint8Array(socket.read(ArrayBuffer, value)), apAddress());
		if (answer) socket.write(address, port, answer.buffer as ArrayBuffer);
	}
}

/** What the SDK's DNS server is beneath: a UDP socket of its `socket` module. */
interface DatagramSocket {
	/** The datagram at hand, in the socket's callback. */
	read(type: typeof ArrayBuffer, count: number): ArrayBuffer;
	write(address: string, port: number, data: ArrayBuffer): void;
}

/** The SDK server's own answering is replaced (CaptiveDns): it is asked for no name. */
function noAnswer(): string {
	return "";
}

function onSntp(log: Logger, message: number, value?: number | string): void {
	if (message === SNTP.time && typeof value === "number") Time.set(value);
	else if (message === SNTP.error) log.warn("Wi-Fi: no time from SNTP (event times stay relative)");
}
