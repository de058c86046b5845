/*
 * The door opener's settings from the `door` namespace: the code a handset sends, the relay
 * pulse, how many openings one call may make and when the call ends after one.
 */

import type { KeyValueStore } from "../modules/ports.js";
import type { DoorSettings } from "../door/door-opener.js";
import { readNumber, readText } from "./read.js";

/** Reads and checks the door settings. Throws SettingsError (naming the key) for a bad stored value. */
export function doorSettingsFrom(store: KeyValueStore): DoorSettings {
	return {
		code: readText(store, "code"),
		pulseMs: readNumber(store, "pulse_ms"),
		maxOpenings: readNumber(store, "max_openings"),
		hangupAfterMs: readNumber(store, "hangup_after") * 1000,
	};
}
