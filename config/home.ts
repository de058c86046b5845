/*
 * The settings of the links to the home: the MQTT broker (namespace `mqtt`) and the webhooks
 * (namespace `hook`).
 */

import type { KeyValueStore } from "../modules/ports.js";
import type { MqttSettings } from "../home/mqtt-link.js";
import { readNumber, readText } from "./read.js";

/** Reads and checks the MQTT settings. Throws SettingsError (naming the key) for a bad stored value. */
export function mqttSettingsFrom(store: KeyValueStore): MqttSettings {
	return {
		host: readText(store, "host"),
		port: readNumber(store, "port"),
		user: readText(store, "user"),
		password: readText(store, "password"),
		prefix: readText(store, "prefix"),
		discovery: readText(store, "discovery"),
		remoteDoor: readNumber(store, "door_open") === 1,
	};
}

/** The webhook URLs ("" for an unused one). */
export function hookUrlsFrom(store: KeyValueStore): string[] {
	return [readText(store, "url1"), readText(store, "url2")];
}
