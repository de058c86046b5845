/*
 * Reading one setting from the store: the stored value checked as a form value would be, or the
 * default when the key is absent (or an empty string, as the earlier firmware left unset keys).
 * A stored value that fails its check is a SettingsError; a reader given a BadSetting is told
 * of it instead and goes on with what the key counts as then (the door starts with the rest).
 */

import type { KeyValueStore } from "../modules/ports.js";
import type { BoardPins } from "../modules/esp32s3-pins.js";
import { CheckError } from "./checks.js";
import { keySpec, type KeySpec, type SettingValue } from "./keys.js";

/** A stored setting that does not pass its check; the message names the key. */
export class SettingsError extends Error {
	readonly key: string;
	constructor(key: string, message: string) {
		super(`setting ${key}: ${message}`);
		this.key = key;
	}
}

export function specOf(key: string): KeySpec {
	const spec = keySpec(key);
	if (!spec) throw new Error(`unknown setting ${key}`);
	return spec;
}

/** The stored value as it is, without the default or a check; undefined when absent. */
export function storedValue(store: KeyValueStore, spec: KeySpec): SettingValue | undefined {
	const value = store.get(spec.namespace, spec.key);
	return value === undefined || (value === "" && spec.kind !== "secret" && !spec.emptyIsValue) ? undefined : value;
}

/**
 * Told of a stored value that fails its check (the error names the key, never a secret), with
 * what the door does meanwhile in words; the reading goes on with what the key counts as then.
 */
export type BadSetting = (error: SettingsError, meanwhile: string) => void;

/** What the door does while a key's stored value fails its check, in words for the log and the page. */
export function badSettingWords(spec: KeySpec): string {
	return spec.badMeans ?? `the default is used until it is saved again${spec.restart ? " and the door restarts" : ""}`;
}

/**
 * A stored value as a log line or a start-up message shows it: nothing of a password or the door
 * code, which either would give away; a webhook URL without its password or query (spec.logged).
 */
function storedWords(spec: KeySpec, value: SettingValue): string {
	if (spec.kind === "secret" || spec.concealed) return "hidden";
	return JSON.stringify(spec.logged && typeof value === "string" ? spec.logged(value) : value);
}

/**
 * The checked value of a setting, or its default. A bad stored value throws SettingsError, or
 * with `bad` is told to it and counts as the key's badValue, else its default; the store keeps it.
 */
export function readSetting(store: KeyValueStore, key: string, bad?: BadSetting): SettingValue {
	const spec = specOf(key);
	const value = storedValue(store, spec);
	if (value === undefined) return spec.fallback;
	try {
		return spec.check(value);
	} catch (error) {
		if (!(error instanceof CheckError)) throw error;
		const problem = new SettingsError(`${spec.namespace}.${spec.key}`, `${error.message} (stored: ${storedWords(spec, value)})`);
		if (!bad) throw problem;
		bad(problem, badSettingWords(spec));
		return spec.badValue ?? spec.fallback;
	}
}

export function readText(store: KeyValueStore, key: string, bad?: BadSetting): string {
	return String(readSetting(store, key, bad));
}

export function readNumber(store: KeyValueStore, key: string, bad?: BadSetting): number {
	return Number(readSetting(store, key, bad));
}

/** `value` through the key's check (on a board wired as `board`, see Check): the checked value, or why it fails. */
export function checkSetting(spec: KeySpec, value: SettingValue, board?: Readonly<BoardPins>): { value: SettingValue; problem?: undefined } | { problem: string } {
	try {
		return { value: spec.check(value, board) };
	} catch (error) {
		if (!(error instanceof CheckError)) throw error;
		return { problem: error.message };
	}
}

/** Why `value` fails the key's check (see checkSetting), or undefined when it passes. */
export function checkProblem(spec: KeySpec, value: SettingValue, board?: Readonly<BoardPins>): string | undefined {
	return checkSetting(spec, value, board).problem;
}
