/*
 * The key-value port over Moddable's `preference`, which is NVS on the ESP32 (namespace and
 * key at most 15 characters, 32-bit integers, strings up to about 4000 bytes). The rules are
 * checked here with a message that names the key, before NVS would fail or, worse, keep a
 * truncated name. Values the earlier C++ firmware stored as booleans read as 1 or 0; blobs are
 * not settings and read as absent.
 */

import Preference from "preference";
import { NVS_MAX_NAME, type KeyValueStore } from "../ports.js";

const MAX_STRING_BYTES = 3999;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

export class PreferenceStoreError extends Error {}

function checkName(kind: string, name: string): void {
	if (typeof name !== "string" || name.length === 0 || name.length > NVS_MAX_NAME) {
		throw new PreferenceStoreError(`${kind} "${name}" must be 1 to ${NVS_MAX_NAME} characters (NVS)`);
	}
}

function checkValue(where: string, value: string | number): void {
	if (typeof value === "number") {
		if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) throw new PreferenceStoreError(`${where}: NVS keeps whole numbers from ${INT32_MIN} to ${INT32_MAX}, not ${value}`);
		return;
	}
	if (typeof value !== "string") throw new PreferenceStoreError(`${where}: only strings and integers can be stored`);
	if (value.indexOf("\u0000") >= 0) throw new PreferenceStoreError(`${where}: NVS strings cannot hold a NUL character`);
	if (ArrayBuffer.fromString(value).byteLength > MAX_STRING_BYTES) throw new PreferenceStoreError(`${where}: at most ${MAX_STRING_BYTES} bytes fit in NVS`);
}

export class PreferenceStore implements KeyValueStore {
	get(namespace: string, key: string): string | number | undefined {
		if (!namespace || !key || namespace.length > NVS_MAX_NAME || key.length > NVS_MAX_NAME) return undefined;
		const value = Preference.get(namespace, key);
		if (typeof value === "string" || typeof value === "number") return value;
		if (typeof value === "boolean") return value ? 1 : 0;
		return undefined;
	}

	set(namespace: string, key: string, value: string | number): void {
		checkName("namespace", namespace);
		checkName(`key ${namespace}.`, key);
		checkValue(`${namespace}.${key}`, value);
		try {
			Preference.set(namespace, key, value);
		} catch (error) {
			throw new PreferenceStoreError(`${namespace}.${key}: NVS write failed (${(error as Error)?.message ?? error})`);
		}
	}

	delete(namespace: string, key: string): void {
		checkName("namespace", namespace);
		checkName(`key ${namespace}.`, key);
		try {
			Preference.delete(namespace, key);
		} catch (error) {
			throw new PreferenceStoreError(`${namespace}.${key}: NVS delete failed (${(error as Error)?.message ?? error})`);
		}
	}

	keys(namespace: string): string[] {
		if (!namespace || namespace.length > NVS_MAX_NAME) return [];
		try {
			return Preference.keys(namespace);
		} catch {
			return [];
		}
	}
}
