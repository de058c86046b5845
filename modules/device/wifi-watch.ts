/*
 * Keeps Wi-Fi up after start-up. The SDK's setup/network joins the network named in the
 * manifest's config (`ssid`, `password`, or `mcconfig … ssid=… password=…`) before main runs;
 * afterwards nothing reconnects, so this watches the ECMA-419 interface and joins again, with a
 * growing pause (5 s up to 60 s), whenever the connection is lost.
 */

import WiFi from "embedded:network/interface/wifi";
import type { Clock, Logger, TimerId } from "../ports.js";

export interface WifiWatchOptions {
	ssid: string;
	password: string;
	clock: Clock;
	log: Logger;
	/** Called with the new address once connected again. */
	onAddress?: (address: string) => void;
}

export function watchWifi(options: WifiWatchOptions): void {
	const { clock, log } = options;
	if (!options.ssid) {
		log.warn("Wi-Fi: no ssid in the manifest config; not watching the connection");
		return;
	}
	let retry: TimerId | undefined;
	let pause = 5000;
	let connected = true;
	const join = () => {
		retry = undefined;
		log.info(`Wi-Fi: joining "${options.ssid}" again`);
		try {
			wifi.connect(options.password ? { SSID: options.ssid, password: options.password } : { SSID: options.ssid });
		} catch (error) {
			log.warn(`Wi-Fi: connect failed (${(error as Error)?.message ?? error})`);
		}
		pause = Math.min(pause * 2, 60000);
		retry = clock.setTimeout(join, pause);
	};
	const wifi: WiFi = new WiFi({
		onChanged: () => {
			const state = wifi.connection;
			if (state >= 500 && wifi.address) {
				if (!connected) log.info(`Wi-Fi: connected again, address ${wifi.address}`);
				connected = true;
				pause = 5000;
				if (retry !== undefined) clock.clearTimeout(retry);
				retry = undefined;
				options.onAddress?.(wifi.address);
			} else if (state < 400 && connected) {
				connected = false;
				log.warn("Wi-Fi: connection lost");
				if (retry === undefined) retry = clock.setTimeout(join, pause);
			}
		},
	});
}
