/*
 * The SDK's Linux simulator has no MAC address (its `net` answers only "IP"): every lin build is
 * 000000000000, in the ESP32's shape. Two of them on one MQTT broker share a client id and topics.
 */
export default function deviceId(): string {
	return "000000000000";
}
