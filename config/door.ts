/*
 * The door opener's settings from the `door` namespace: the code a handset sends, the relay
 * pulse and how many openings one call may make.
 */

import type { KeyValueStore } from "../modules/ports.js";
import { readNumber, readText } from "./read.js";

export interface DoorSettings {
	/** 1 to 16 keys of 0-9, * and # ("123" by default). */
	code: string;
	/** Relay pulse in ms (800 by default, 100-10000). */
	pulseMs: number;
	/** Openings per call (1 by default, 1-9). */
	maxOpenings: number;
	/** Hang up this long after an opening (ms; 0: the call goes on). */
	hangupAfterMs: number;
}

/** Reads and checks the door settings. Throws SettingsError (naming the key) for a bad stored value. */
export function doorSettingsFrom(store: KeyValueStore): DoorSettings {
	return {
		code: readText(store, "code"),
		pulseMs: readNumber(store, "pulse_ms"),
		maxOpenings: readNumber(store, "max_openings"),
		hangupAfterMs: readNumber(store, "hangup_after") * 1000,
	};
}
