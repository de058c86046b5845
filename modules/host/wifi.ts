/*
 * The simulator's stand-in for the Wi-Fi radio (--access-point): no radio is touched. The scan
 * list is scripted; joining one of its networks succeeds with its scripted password (an open one
 * with none) and "gives" the address 127.0.0.1, any other join fails. The access point and its
 * DNS answers are only logged: the set-up page is served on the simulator's own web port.
 */

import type { Logger, WifiNetwork, WifiRadio, WifiRadioFactory } from "../ports.js";

export interface ScriptedNetwork extends WifiNetwork {
	/** The password that joins it (absent for an open network). */
	password?: string;
}

/** The networks the stand-in "finds"; README (simulator) lists them. */
export const SCRIPTED_NETWORKS: readonly ScriptedNetwork[] = [
	{ ssid: "FRITZ!Box 7590 XY", rssi: -48, secure: true, password: "klingel-test-1" },
	{ ssid: "Nachbar", rssi: -77, secure: true, password: "not-yours-123" },
	{ ssid: "Café Gast", rssi: -83, secure: false },
];

export interface HostWifiOptions {
	log: Logger;
	networks?: readonly ScriptedNetwork[];
	/** The access point's address the captive portal names (the simulator's web host and port). */
	accessPointAddress(): string;
	/** How long a scan and a join take (ms): answers come later, as from a radio. */
	delayMs?: number;
}

export function hostWifi(options: HostWifiOptions): WifiRadioFactory {
	const networks = options.networks ?? SCRIPTED_NETWORKS;
	const delay = options.delayMs ?? 50;
	return (events): WifiRadio => {
		let joinTimer: ReturnType<typeof setTimeout> | undefined;
		return {
			id: "5137",
			join(ssid, password) {
				if (joinTimer) clearTimeout(joinTimer);
				const network = networks.find((n) => n.ssid === ssid);
				const ok = !!network && (network.password ?? "") === password;
				options.log.info(`Wi-Fi (stand-in): joining "${ssid}" ${ok ? "succeeds" : "fails"}`);
				joinTimer = setTimeout(() => {
					joinTimer = undefined;
					if (ok) events.onConnected("127.0.0.1");
					else events.onDisconnected();
				}, delay);
				joinTimer.unref?.();
			},
			openAccessPoint(ssid) {
				options.log.info(`Wi-Fi (stand-in): access point "${ssid}" open; on the device DNS answers every name with the door's address`);
			},
			accessPointAddress: options.accessPointAddress,
			closeAccessPoint() {
				options.log.info("Wi-Fi (stand-in): access point closed");
			},
			scan(max, done) {
				const found = networks.map(({ ssid, rssi, secure }) => ({ ssid, rssi, secure })).sort((a, b) => b.rssi - a.rssi).slice(0, max);
				setTimeout(() => done(found), delay).unref?.();
			},
		};
	};
}
