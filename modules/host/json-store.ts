/*
 * The key-value port on the host: a JSON file of namespaces, { "sip": { "sip_user": "620" } },
 * with the NVS rules of the device (namespace and key at most 15 characters, string or integer
 * values) and atomic writes (a temporary file renamed over the old one).
 */

import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { NVS_MAX_NAME, type KeyValueStore } from "../ports.js";

type Data = Record<string, Record<string, string | number>>;

export class JsonStoreError extends Error {}

function checkName(kind: string, name: string): void {
	if (typeof name !== "string" || name.length === 0 || name.length > NVS_MAX_NAME) {
		throw new JsonStoreError(`${kind} "${name}" must be 1 to ${NVS_MAX_NAME} characters (NVS)`);
	}
}

/** Reads and checks a settings file; throws JsonStoreError naming what is wrong. */
export function readSettingsFile(path: string): Data {
	if (!existsSync(path)) return {};
	let text: string;
	try {
		text = readFileSync(path, "utf8");
	} catch (error) {
		throw new JsonStoreError(`${path} cannot be read (${(error as Error).message})`);
	}
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (error) {
		throw new JsonStoreError(`${path} is not valid JSON: ${(error as Error).message}`);
	}
	if (typeof data !== "object" || data === null || Array.isArray(data)) throw new JsonStoreError(`${path} must hold an object of namespaces, e.g. { "sip": { "sip_user": "620" } }`);
	for (const [namespace, keys] of Object.entries(data as Record<string, unknown>)) {
		checkName("namespace", namespace);
		if (typeof keys !== "object" || keys === null || Array.isArray(keys)) throw new JsonStoreError(`namespace "${namespace}" must be an object of keys`);
		for (const [key, value] of Object.entries(keys as Record<string, unknown>)) {
			checkName(`key ${namespace}.`, key);
			if (typeof value !== "string" && !(typeof value === "number" && Number.isInteger(value))) {
				throw new JsonStoreError(`${namespace}.${key} must be a string or an integer`);
			}
		}
	}
	return data as Data;
}

export class JsonStore implements KeyValueStore {
	readonly path: string | undefined;
	#data: Data;

	/** A store over `path` (created on first write), or in memory when no path is given. */
	constructor(path?: string, initial?: Data) {
		this.path = path;
		this.#data = initial ?? (path ? readSettingsFile(path) : {});
	}

	get(namespace: string, key: string): string | number | undefined {
		return this.#data[namespace]?.[key];
	}

	set(namespace: string, key: string, value: string | number): void {
		checkName("namespace", namespace);
		checkName(`key ${namespace}.`, key);
		if (typeof value !== "string" && !(typeof value === "number" && Number.isInteger(value))) throw new JsonStoreError(`${namespace}.${key}: only strings and integers can be stored`);
		this.#save({ ...this.#data, [namespace]: { ...this.#data[namespace], [key]: value } });
	}

	delete(namespace: string, key: string): void {
		if (this.#data[namespace] && key in this.#data[namespace]) {
			const keys = { ...this.#data[namespace] };
			delete keys[key];
			this.#save({ ...this.#data, [namespace]: keys });
		}
	}

	keys(namespace: string): string[] {
		return Object.keys(this.#data[namespace] ?? {});
	}

	/**
	 * Takes `data` once it is in the file: a write that throws (a full disk, a directory that
	 * cannot be written) leaves the store as it was, as the device's preference keeps nothing of
	 * a failed set, so what the door uses is what the next start reads.
	 */
	#save(data: Data): void {
		if (this.path) {
			const temporary = `${this.path}.tmp`;
			writeFileSync(temporary, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
			renameSync(temporary, this.path);
		}
		this.#data = data;
	}
}
