/*
 * A model of the Moddable SDK's `wifi` for the ESP32 (modules/network/wifi/esp32/wifi.js over
 * xs6wifi.c), as far as modules/device/wifi.ts relies on it, for the XS test host
 * (KLINGEL_XS_EMBEDDED). Like the SDK:
 * - Wi-Fi starts uninitialised (`gWiFiState = -2`), and the `mode` getter answers -5 (Mode.off)
 *   until something initialises it (`if (gWiFiState <= 0) … -5`);
 * - the first call that needs the radio initialises it in the mode that call asks for
 *   (`initWiFi(mode)`: `set mode` and `connect` the station, `accessPoint` the access point
 *   alone); once initialised, `initWiFi` changes nothing;
 * - `accessPoint` adds the access point to the station (APSTA) only when the radio is in station
 *   mode and `station: true` is given; an access point alone stays alone;
 * - `connect` throws "esp_wifi_connect failed" when the mode has no station, as
 *   esp_wifi_connect fails with ESP_ERR_WIFI_MODE.
 * `esp` is the ESP-IDF side, which the model of `net` reads and the test drives: `join(address)`
 * plays the home network giving the station an address (the "gotIP" message follows).
 */

const WIFI_MODE_NULL = 0, WIFI_MODE_STA = 1, WIFI_MODE_AP = 2, WIFI_MODE_APSTA = 3;

export const esp = {
	/** xs6wifi.c's gWiFiState: -2 uninitialised, 0 stopped, 1 and up initialised. */
	state: -2,
	/** esp_wifi_get_mode's answer once initialised. */
	mode: WIFI_MODE_NULL,
	/** The access point's interface, made by the first `accessPoint` (esp_netif_create_default_wifi_ap). */
	apInterface: false,
	/** The access point's SSID while it is configured. */
	apSsid: undefined,
	/** The network the station is told to join (esp_wifi_connect succeeded), else undefined. */
	joining: undefined,
	/** The station's address on the home network, else undefined. */
	stationAddress: undefined,
	/** Calls of `connect` that threw. */
	connectFailures: 0,
	get initialised() {
		return this.state > 0;
	},
	get hasStation() {
		return this.initialised && (WIFI_MODE_STA === this.mode || WIFI_MODE_APSTA === this.mode);
	},
	get hasAccessPoint() {
		return this.initialised && (WIFI_MODE_AP === this.mode || WIFI_MODE_APSTA === this.mode);
	},
	/** The home network gives the joining station `address`. */
	join(address) {
		if (!this.hasStation || !this.joining) throw new Error("model: no station is joining");
		this.stationAddress = address;
		this.state = 5;
		notify("gotIP");
	},
};

function initWiFi(mode) {
	if (esp.state > 0) return;
	esp.state = 1;
	esp.mode = mode;
}

function clearConfig() {
	esp.joining = undefined;
	esp.stationAddress = undefined;
}

const listeners = [];
function notify(message) {
	for (const listener of listeners) listener(message);
}

export default class WiFi {
	constructor(dictionary, onNotify) {
		if (dictionary) WiFi.connect(dictionary);
		if (onNotify) listeners.push(onNotify);
	}
	close() {}

	static set mode(value) {
		let mode;
		if (1 === value) mode = WIFI_MODE_STA;
		else if (2 === value) mode = WIFI_MODE_AP;
		else if (3 === value) mode = WIFI_MODE_APSTA;
		else if (0 === value) {
			mode = WIFI_MODE_NULL;
			clearConfig();
		}
		else if (-5 === value) {
			if (esp.state >= 1) {
				clearConfig();
				esp.state = 0;
			}
			return;
		}
		else throw new Error("invalid mode");
		initWiFi(mode);
		esp.mode = mode;
	}
	static get mode() {
		if (esp.state <= 0) return -5;
		return esp.mode;
	}
	static scan(dictionary, callback) {
		initWiFi(WIFI_MODE_STA);
		WiFi.scanning = callback;
	}
	static connect(dictionary) {
		if (esp.state > 1) esp.state = 2;
		clearConfig();
		if (!dictionary) return;
		initWiFi(WIFI_MODE_STA);
		if (!dictionary.ssid) throw new Error("ssid required");
		if (!esp.hasStation) {
			esp.connectFailures++;
			throw new Error("esp_wifi_connect failed");
		}
		esp.joining = dictionary.ssid;
	}
	static accessPoint(dictionary) {
		initWiFi(WIFI_MODE_AP);
		if ("password" in dictionary) {
			if (String(dictionary.password).length > 64) throw new Error("password too long - 64 bytes max");
			if (String(dictionary.password).length < 8) throw new Error("password too short - 8 bytes min");
		}
		const station = "station" in dictionary ? !!dictionary.station : false;
		esp.apInterface = true;
		if (WIFI_MODE_AP !== esp.mode && WIFI_MODE_APSTA !== esp.mode) esp.mode = station ? WIFI_MODE_APSTA : WIFI_MODE_AP;
		esp.apSsid = String(dictionary.ssid);
	}
	static disconnect() {
		WiFi.connect();
	}

	/** The callback of the scan under way, for the test to end it. */
	static scanning = undefined;

	static Mode = Object.freeze({
		off: -5,
		none: 0,
		station: 1,
		accessPoint: 2,
	});

	static gotIP = "gotIP";
	static lostIP = "lostIP";
	static connected = "connect";
	static disconnected = "disconnect";
	static station_connect = "station_connect";
	static station_disconnect = "station_disconnect";
}
