/*
 * Reading one setting from the store: the stored value checked as a form value would be, or the
 * default when the key is absent (or an empty string, as the earlier firmware left unset keys).
 */

import type { KeyValueStore } from "../modules/ports.js";
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

/** The checked value of a setting, or its default. Throws SettingsError for a bad stored value. */
export function readSetting(store: KeyValueStore, key: string): SettingValue {
	const spec = specOf(key);
	const value = storedValue(store, spec);
	if (value === undefined) return spec.fallback;
	try {
		return spec.check(value);
	} catch (error) {
		// The password and the door code are never repeated: a log or a start-up message would give them away.
		if (error instanceof CheckError) throw new SettingsError(`${spec.namespace}.${spec.key}`, `${error.message} (stored: ${spec.kind === "secret" || spec.concealed ? "hidden" : JSON.stringify(value)})`);
		throw error;
	}
}

export function readText(store: KeyValueStore, key: string): string {
	return String(readSetting(store, key));
}

export function readNumber(store: KeyValueStore, key: string): number {
	return Number(readSetting(store, key));
}
