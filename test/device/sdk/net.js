/*
 * A model of the Moddable SDK's `net` for the ESP32 (modules/network/net/esp/modNet.c), as far
 * as the device modules rely on it, for the XS test host (KLINGEL_XS_EMBEDDED), over the model of
 * `wifi` (its `esp`). Like getNIF there:
 * - before Wi-Fi is initialised esp_wifi_get_mode fails (ESP_ERR_WIFI_NOT_INIT): no interface,
 *   so "IP" and "MAC" are undefined (this board has no Ethernet);
 * - "station" or "ap" names the interface, which must be in the mode;
 * - without an interface (or with one given by an address: the SDK's search of the interfaces
 *   starts at NULL and ends at once), the interface is the mode's only one: the access point
 *   alone or the station alone; with both at once (APSTA) there is none.
 */
import { esp } from "wifi";

/** The chip's station MAC; the access point's is the next one (ESP-IDF's default). */
export const STATION_MAC = "F4:12:FA:5C:3E:A8";
export const AP_MAC = "F4:12:FA:5C:3E:A9";
const AP_ADDRESS = "192.168.4.1";

function getNIF(nif) {
	if (!esp.initialised) return undefined;
	const wantsAP = "ap" === nif, wantsStation = "station" === nif;
	if (wantsStation && esp.hasStation) return "station";
	if (wantsAP && esp.hasAccessPoint) return "ap";
	if (wantsAP || wantsStation) return undefined;
	if (esp.hasStation && !esp.hasAccessPoint) return "station";
	if (esp.hasAccessPoint && !esp.hasStation) return "ap";
	return undefined;
}

const Net = {
	get(property, ...nif) {
		const which = getNIF(nif.length ? String(nif[0]) : undefined);
		if ("IP" === property) {
			return "station" === which ? esp.stationAddress : "ap" === which && esp.apInterface ? AP_ADDRESS : undefined;
		}
		if ("MAC" === property) return "station" === which ? STATION_MAC : "ap" === which ? AP_MAC : undefined;
		return undefined;
	},
	resolve(host, callback) {
		throw new Error("model: no resolver");
	},
};
export default Net;
