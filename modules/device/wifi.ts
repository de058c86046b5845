/*
 * The Wi-Fi radio over the SDK's `wifi` module: the station joins the home network and rejoins
 * after a loss (5 s, doubling up to 60 s: the ESP-IDF's own retries end after a few attempts);
 * the set-up access point runs beside the station (mode 3), with the SDK's `dns/server`
 * answering every name with the access point's address, so that a phone's captive-portal check
 * opens the set-up page. The first address sets the wall clock by SNTP (the SDK's
 * setup/network did this before; the firmware now joins Wi-Fi itself).
 */

import WiFi from "wifi";
import DNSServer from "dns/server";
import Net from "net";
import SNTP from "sntp";
import Time from "time";
import type { Clock, Logger, TimerId, WifiNetwork, WifiRadioFactory } from "../ports.js";

/** The address the ESP-IDF gives its access point when none is configured. */
const DEFAULT_AP_ADDRESS = "192.168.4.1";
/** The message of the DNS server's callback that asks for a name's address ("" answers nothing). */
const DNS_QUERY = 1;
const FIRST_PAUSE_MS = 5000;
const MAX_PAUSE_MS = 60000;

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
	const { clock, log } = options;
	return (events) => {
		let credentials: { ssid: string; password?: string } | undefined;
		let retry: TimerId | undefined;
		let pause = FIRST_PAUSE_MS;
		let dns: DNSServer | undefined;
		let accessPoint = false;
		let timeSet = false;
		const connect = () => {
			retry = undefined;
			if (!credentials) return;
			try {
				WiFi.connect(credentials);
			} catch (error) {
				log.warn(`Wi-Fi: connect failed (${(error as Error)?.message ?? error})`);
				retryLater();
			}
		};
		const retryLater = () => {
			if (retry !== undefined || !credentials) return;
			retry = clock.setTimeout(connect, pause);
			pause = Math.min(pause * 2, MAX_PAUSE_MS);
		};
		const setTime = () => {
			if (timeSet || !options.sntp) return;
			timeSet = true;
			try {
				new SNTP({ host: options.sntp }, (message, value) => {
					if (message === SNTP.time && typeof value === "number") Time.set(value);
					else if (message === SNTP.error) log.warn("Wi-Fi: no time from SNTP (event times stay relative)");
				});
			} catch (error) {
				log.warn(`Wi-Fi: SNTP failed (${(error as Error)?.message ?? error})`);
			}
		};
		if (WiFi.mode === WiFi.Mode.none) WiFi.mode = WiFi.Mode.station;
		// The instance only listens: connecting is done by the static calls above.
		new WiFi(undefined, (message) => {
			if (message === WiFi.gotIP) {
				pause = FIRST_PAUSE_MS;
				if (retry !== undefined) clock.clearTimeout(retry);
				retry = undefined;
				events.onConnected(Net.get("IP", "station") ?? Net.get("IP") ?? "0.0.0.0");
				setTime();
			} else if (message === WiFi.disconnected || message === WiFi.lostIP) {
				events.onDisconnected();
				retryLater();
			}
		});
		return {
			id: lastMacBytes(Net.get("MAC", "station") ?? Net.get("MAC")),
			join(ssid, password) {
				credentials = password ? { ssid, password } : { ssid };
				pause = FIRST_PAUSE_MS;
				if (retry !== undefined) clock.clearTimeout(retry);
				connect();
			},
			openAccessPoint(ssid, password) {
				// `station` keeps the station interface up beside the access point (xs6wifi.c reads it;
				// the SDK's typings leave it out, so the options are not given as a literal).
				const options = { ssid, password, station: true };
				WiFi.accessPoint(options);
				accessPoint = true;
				const address = (): string => Net.get("IP", "ap") ?? DEFAULT_AP_ADDRESS;
				try {
					// Every name is the door while a phone is on its access point (A queries only).
					dns = new DNSServer((message) => (message === DNS_QUERY ? address() : ""));
				} catch (error) {
					// E.g. the lin build without the right to port 53: the page is still at the address.
					log.warn(`Wi-Fi: no captive-portal DNS (${(error as Error)?.message ?? error})`);
				}
			},
			closeAccessPoint() {
				dns?.close();
				dns = undefined;
				accessPoint = false;
				WiFi.mode = WiFi.Mode.station;
			},
			accessPointAddress() {
				if (!accessPoint) return "";
				const address = Net.get("IP", "ap") ?? DEFAULT_AP_ADDRESS;
				return options.httpPort === 80 ? address : `${address}:${options.httpPort}`;
			},
			scan(max, done) {
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
			},
		};
	};
}
