/*
 * The user agent's configuration from the `sip` namespace, every key checked: a bad stored value
 * is a SettingsError naming the key, or told to `bad` (config/read.ts), never a silent default.
 */

import type { KeyValueStore } from "../modules/ports.js";
import { DEFAULT_UA_CONFIG, type UaConfig } from "../sip/config.js";
import { readNumber, readText, type BadSetting } from "./read.js";

export { SettingsError } from "./read.js";

/** Reads and checks the SIP settings. Throws SettingsError for the first bad key, or tells `bad` of each. */
export function uaConfigFrom(store: KeyValueStore, bad?: BadSetting): UaConfig {
	return {
		...DEFAULT_UA_CONFIG,
		user: readText(store, "sip_user", bad),
		password: readText(store, "sip_password", bad),
		displayName: readText(store, "sip_displayname", bad),
		server: readText(store, "sip_server", bad),
		serverPort: readNumber(store, "sip_port", bad),
		target: readText(store, "sip_target", bad),
		ringTimeout: readNumber(store, "ring_timeout", bad),
		talkLimit: readNumber(store, "talk_limit", bad),
		digestUri: readText(store, "digest_uri", bad) === "registrar" ? "registrar" : "request",
		allowAnySource: readNumber(store, "allow_any_src", bad) === 1,
		hdVoice: readNumber(store, "hd_voice", bad) === 1,
		autoAnswer: readNumber(store, "auto_answer", bad) === 1,
	};
}

/** The local SIP port (5062 by default, kept apart from the PBX's 5060). */
export function localPortFrom(store: KeyValueStore, bad?: BadSetting): number {
	return readNumber(store, "local_port", bad);
}

/** The RTP port offered in SDP (40000 by default). */
export function rtpPortFrom(store: KeyValueStore, bad?: BadSetting): number {
	return readNumber(store, "rtp_port", bad);
}
