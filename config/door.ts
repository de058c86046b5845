/*
 * The door opener's settings from the `door` namespace: the code a handset sends, the relay
 * pulse, how many openings one call may make and when the call ends after one.
 */

import type { KeyValueStore } from "../modules/ports.js";
import type { DoorSettings } from "../door/door-opener.js";
import { readNumber, readText, type BadSetting } from "./read.js";

/**
 * Reads and checks the door settings. Throws SettingsError (naming the key) for a bad stored
 * value, or tells `bad` of it: a bad code then counts as "", which no entry opens.
 */
export function doorSettingsFrom(store: KeyValueStore, bad?: BadSetting): DoorSettings {
	return {
		code: readText(store, "code", bad),
		pulseMs: readNumber(store, "pulse_ms", bad),
		maxOpenings: readNumber(store, "max_openings", bad),
		hangupAfterMs: readNumber(store, "hangup_after", bad) * 1000,
	};
}
