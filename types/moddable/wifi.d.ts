/* Moddable `wifi` (modules/network/wifi: esp32/wifi.js with xs6wifi.c; sim/wifi.js on lin). */
declare module "wifi" {
	/** One network of a scan (`authentication` is "none" for an open one). */
	export interface WiFiScanItem {
		ssid: string;
		rssi: number;
		channel: number;
		hidden: boolean;
		bssid?: ArrayBuffer;
		authentication?: "none" | "wep" | "wpa_psk" | "wpa2_psk" | "wpa_wpa2_psk" | string;
	}

	export interface WiFiAccessPointOptions {
		ssid: string;
		/** 8 to 64 bytes: WPA/WPA2-PSK; absent: an open network. */
		password?: string;
		channel?: number;
		hidden?: boolean;
		/** The most stations at once (4). */
		max?: number;
		/**
		 * Keep the station interface too (station and access point at once); only where Wi-Fi
		 * already runs as a station: an access point that initialises Wi-Fi runs alone.
		 */
		station?: boolean;
	}

	/** The instance's callback messages: "connect", "gotIP", "lostIP", "disconnect", "station_connect", … */
	export type WiFiMessage = string;

	export default class WiFi {
		/** Connects with `dictionary` when given; `onNotify` gets the messages of the station. */
		constructor(dictionary?: { ssid: string; password?: string }, onNotify?: (message: WiFiMessage, value?: number) => void);
		close(): void;
		/**
		 * 1 station, 2 access point, 3 both, 0 none; -5 (Mode.off) on ESP32 while Wi-Fi is not
		 * initialised, which it is not at start (xs6wifi.c: `gWiFiState = -2`). Setting it
		 * initialises Wi-Fi in that mode; so does the first connect (station) or accessPoint
		 * (the access point alone, whatever `station` says).
		 */
		static mode: number;
		/** Calls `callback` with each network found, then once with null (undefined in the simulator). */
		static scan(dictionary: { hidden?: boolean; channel?: number }, callback: (item: WiFiScanItem | null) => void): void;
		/** Joins a network as a station; no argument disconnects. Throws when it cannot start. */
		static connect(dictionary?: { ssid: string; password?: string }): void;
		/** Starts the access point; throws on a bad option (e.g. a password under 8 bytes). */
		static accessPoint(dictionary: WiFiAccessPointOptions): void;
		static disconnect(): void;
		/** `off` on ESP32 only (esp32/wifi.js); the simulator's wifi.js has none. */
		static readonly Mode: { readonly off?: -5; readonly none: 0; readonly station: 1; readonly accessPoint: 2 };
		static readonly gotIP: "gotIP";
		static readonly lostIP: "lostIP";
		static readonly connected: "connect";
		static readonly disconnected: "disconnect";
	}
}
