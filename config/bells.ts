/*
 * The bell buttons from the `bell` namespace: button 1 is the one the doorbell always had (the
 * manifest's button_pin, sip_target, sip_displayname), buttons 2 to 4 are used when their number
 * is set. Each rings its own number under its own caller name (e.g. Gartentor), so a FRITZ!Box
 * door intercom can ring other phones for each.
 */

import type { KeyValueStore } from "../modules/ports.js";
import type { BoardPins } from "../modules/esp32s3-pins.js";
import { checkSetting, readNumber, readText, SettingsError, specOf, storedValue, type BadSetting } from "./read.js";

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
	/** Why its pin is not taken (it fails the pin's check: stored before a firmware refused it, or a part of the board has it; or another button has it). */
	pinProblem?: string;
	/** Whether a press sounds the house's gong. */
	gong: boolean;
}

/** Whether a bell rings: button 1 always (it follows the SIP settings), the others while their number is set. */
export function bellRings(bell: BellSettings): boolean {
	return bell.button === 1 || bell.target !== "";
}

/**
 * The buttons in use, button 1 first. Throws SettingsError (naming the key) for a bad stored
 * value, or tells `bad` of it, but for a pin: a pin a newer firmware refuses (e.g. a strapping
 * pin), one of the board's parts' (where `board`, the build's wiring, puts them, see Check) or
 * an earlier button's, leaves that button without an input, with the reason in pinProblem, and
 * the door starts.
 */
export function bellsFrom(store: KeyValueStore, bad?: BadSetting, board?: Readonly<BoardPins>): BellSettings[] {
	const pins = bellPins(store, board);
	const displayName = readText(store, "sip_displayname", bad);
	const bells: BellSettings[] = [{ button: 1, target: readText(store, "sip_target", bad), name: displayName, gong: readNumber(store, "bell1_gong", bad) === 1 }];
	for (let n = 2; n <= MAX_BELLS; n++) {
		const target = readText(store, `bell${n}_target`, bad);
		if (target === "") continue;
		const bell: BellSettings = { button: n, target, name: readText(store, `bell${n}_name`, bad) || displayName, gong: readNumber(store, `bell${n}_gong`, bad) === 1 };
		// Checked on the build's wiring (readNumber's check knows the default one only).
		const pin = pins.get(`bell${n}_pin`);
		if (pin?.problem !== undefined) bell.pinProblem = new SettingsError(`bell.bell${n}_pin`, pin.problem).message;
		else bell.pin = pin?.gpio;
		bells.push(bell);
	}
	return bells;
}

/** Why a bell button cannot have `pin`, which button `other` has, as the check's messages say it. */
export function pinTaken(pin: number, other: number): string {
	return `cannot be ${pin}: bell button ${other} uses it (one GPIO serves one button)`;
}

/** A bad stored number counts as the default (none) here; bellsFrom tells of it. */
function ignore(): void {}

/** A bell button's pin: the GPIO its input opens, or why it can have none; neither for an unused button. */
export interface BellPin {
	gpio?: number;
	problem?: string;
}

/**
 * The pin keys of bell buttons 2 to 4, each with its pin or why its button can have no input: the
 * pin it would open (the stored one, else the default) fails the pin's check (one stored before a
 * firmware refused it, or a part's where the build moved one there: `board`, see Check), or an
 * earlier button in use has it (stored before shared pins were refused: one GPIO serves one
 * button, and a second input on it would not open). Neither for an unused button's: that is never
 * opened, so nothing is wrong with it until the button gets a number (the save that gives it one
 * checks the pin). The messages are the check's and the save's.
 */
export function bellPins(store: KeyValueStore, board?: Readonly<BoardPins>): Map<string, BellPin> {
	const pins = new Map<string, BellPin>();
	const owners: number[] = [];
	for (let n = 2; n <= MAX_BELLS; n++) {
		const spec = specOf(`bell${n}_pin`);
		if (readText(store, `bell${n}_target`, ignore) === "") {
			pins.set(spec.key, {});
			continue;
		}
		const checked = checkSetting(spec, storedValue(store, spec) ?? spec.fallback, board);
		if (checked.problem !== undefined) {
			pins.set(spec.key, { problem: checked.problem });
			continue;
		}
		const gpio = Number(checked.value);
		const other = owners[gpio];
		if (other === undefined) owners[gpio] = n;
		pins.set(spec.key, other === undefined ? { gpio } : { problem: pinTaken(gpio, other) });
	}
	return pins;
}
