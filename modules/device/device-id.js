/*
 * This doorbell's id for MQTT on the ESP32: the station's MAC address as 12 lowercase hex digits,
 * read from efuse by esp32/firmware-native.c. Not from the SDK's `net`: the id is taken when the
 * environment is made, before Wi-Fi is initialised, and until then Net.get("MAC") has no
 * interface to read (modNet.c's getNIF), so every door was 000000000000 and two doors on one
 * broker shared a client id and topics. Plain JavaScript with its declaration beside it, for the
 * `@` host function; the lin build maps this module to lin/device-id.ts.
 */

function stationMac() @ "xs_klingel_station_mac";

export default function deviceId() {
	return stationMac();
}
