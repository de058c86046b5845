/*
 * The bell buttons from the `bell` namespace: button 1 is the one the doorbell always had (the
 * manifest's button_pin, sip_target, sip_displayname), buttons 2 to 4 are used when their number
 * is set. Each rings its own number under its own caller name (e.g. Gartentor), so a FRITZ!Box
 * door intercom can ring other phones for each.
 */

import type { KeyValueStore } from "../modules/ports.js";
import { readNumber, readText } from "./read.js";

export const MAX_BELLS = 4;
/** The house gong's relay pulse per press (the earlier firmware's 500 ms). */
export const GONG_PULSE_MS = 500;

export interface BellSettings {
	/** 1 to 4. */
	button: number;
	/** The number it rings and the caller name the handsets show. */
	target: string;
	name: string;
	/** Its GPIO (buttons 2-4; button 1's pin is the provider's). */
	pin?: number;
	/** Whether a press sounds the house's gong. */
	gong: boolean;
}

/** Whether a bell rings: button 1 always (it follows the SIP settings), the others while their number is set. */
export function bellRings(bell: BellSettings): boolean {
	return bell.button === 1 || bell.target !== "";
}

/** The buttons in use, button 1 first. Throws SettingsError (naming the key) for a bad stored value. */
export function bellsFrom(store: KeyValueStore): BellSettings[] {
	const displayName = readText(store, "sip_displayname");
	const bells: BellSettings[] = [{ button: 1, target: readText(store, "sip_target"), name: displayName, gong: readNumber(store, "bell1_gong") === 1 }];
	for (let n = 2; n <= MAX_BELLS; n++) {
		const target = readText(store, `bell${n}_target`);
		if (target === "") continue;
		bells.push({ button: n, target, name: readText(store, `bell${n}_name`) || displayName, pin: readNumber(store, `bell${n}_pin`), gong: readNumber(store, `bell${n}_gong`) === 1 });
	}
	return bells;
}
