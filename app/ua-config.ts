/*
 * The user agent's configuration from the `sip` namespace of the settings store, checked key
 * by key: a bad value is an error that names the key, never a silent default.
 */

import type { KeyValueStore } from "../modules/ports.js";
import { DEFAULT_UA_CONFIG, type UaConfig } from "../sip/config.js";

export class SettingsError extends Error {
	readonly key: string;
	constructor(key: string, message: string) {
		super(`setting ${key}: ${message}`);
		this.key = key;
	}
}

const NAMESPACE = "sip";
/** Characters that could break out of a SIP header or URI. */
const UNSAFE = /[\s"<>;,@\\\x00-\x1f\x7f]/;

function text(store: KeyValueStore, key: string, fallback: string): string {
	const value = store.get(NAMESPACE, key);
	if (value === undefined || value === "") return fallback;
	return String(value);
}

function integer(store: KeyValueStore, key: string, fallback: number, min: number, max: number): number {
	const value = store.get(NAMESPACE, key);
	if (value === undefined || value === "") return fallback;
	const n = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : NaN;
	if (!Number.isInteger(n) || n < min || n > max) throw new SettingsError(`${NAMESPACE}.${key}`, `must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
	return n;
}

function token(store: KeyValueStore, key: string, fallback: string): string {
	const value = text(store, key, fallback);
	if (UNSAFE.test(value)) throw new SettingsError(`${NAMESPACE}.${key}`, "must not contain spaces, quotes, line breaks or any of < > ; , @ \\");
	return value;
}

/** Reads and checks the SIP settings. Throws SettingsError for the first bad key. */
export function uaConfigFrom(store: KeyValueStore): UaConfig {
	const server = text(store, "sip_server", DEFAULT_UA_CONFIG.server);
	if (!/^[A-Za-z0-9.-]+$/.test(server)) throw new SettingsError(`${NAMESPACE}.sip_server`, "must be a host name or an IPv4 address");
	const displayName = text(store, "sip_displayname", DEFAULT_UA_CONFIG.displayName);
	if (/[\r\n\x00]/.test(displayName) || displayName.length > 64) throw new SettingsError(`${NAMESPACE}.sip_displayname`, "must be one line of at most 64 characters");
	const password = text(store, "sip_password", "");
	if (/[\r\n\x00]/.test(password)) throw new SettingsError(`${NAMESPACE}.sip_password`, "must not contain line breaks");
	const digestUri = text(store, "digest_uri", DEFAULT_UA_CONFIG.digestUri);
	if (digestUri !== "request" && digestUri !== "registrar") throw new SettingsError(`${NAMESPACE}.digest_uri`, 'must be "request" or "registrar"');
	return {
		...DEFAULT_UA_CONFIG,
		user: token(store, "sip_user", ""),
		password,
		displayName,
		server,
		serverPort: integer(store, "sip_port", DEFAULT_UA_CONFIG.serverPort, 1, 65535),
		target: token(store, "sip_target", DEFAULT_UA_CONFIG.target),
		ringTimeout: integer(store, "ring_timeout", DEFAULT_UA_CONFIG.ringTimeout, 5, 300),
		talkLimit: integer(store, "talk_limit", DEFAULT_UA_CONFIG.talkLimit, 10, 3600),
		digestUri,
		allowAnySource: integer(store, "allow_any_src", 0, 0, 1) === 1,
	};
}

/** The local SIP port setting (5062 by default; never the same as the PBX port by accident). */
export function localPortFrom(store: KeyValueStore): number {
	return integer(store, "local_port", 5062, 1, 65535);
}
