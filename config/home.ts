/*
 * The settings of the links to the home: the MQTT broker (namespace `mqtt`) and the webhooks
 * (namespace `hook`).
 */

import type { KeyValueStore } from "../modules/ports.js";
import type { MqttSettings } from "../home/mqtt-link.js";
import { readNumber, readText, type BadSetting } from "./read.js";

/** Reads and checks the MQTT settings. Throws SettingsError (naming the key) for a bad stored value, or tells `bad` of it. */
export function mqttSettingsFrom(store: KeyValueStore, bad?: BadSetting): MqttSettings {
	return {
		host: readText(store, "host", bad),
		port: readNumber(store, "port", bad),
		user: readText(store, "user", bad),
		password: readText(store, "password", bad),
		prefix: readText(store, "prefix", bad),
		discovery: readText(store, "discovery", bad),
		remoteDoor: readNumber(store, "door_open", bad) === 1,
	};
}

/** The webhook URLs ("" for an unused one). */
export function hookUrlsFrom(store: KeyValueStore, bad?: BadSetting): string[] {
	return [readText(store, "url1", bad), readText(store, "url2", bad)];
}
