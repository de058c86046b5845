/*
 * The user agent's configuration from the `sip` namespace, every key checked: a bad stored value
 * is a SettingsError naming the key, never a silent default.
 */

import type { KeyValueStore } from "../modules/ports.js";
import { DEFAULT_UA_CONFIG, type UaConfig } from "../sip/config.js";
import { readNumber, readText } from "./read.js";

export { SettingsError } from "./read.js";

/** Reads and checks the SIP settings. Throws SettingsError for the first bad key. */
export function uaConfigFrom(store: KeyValueStore): UaConfig {
	return {
		...DEFAULT_UA_CONFIG,
		user: readText(store, "sip_user"),
		password: readText(store, "sip_password"),
		displayName: readText(store, "sip_displayname"),
		server: readText(store, "sip_server"),
		serverPort: readNumber(store, "sip_port"),
		target: readText(store, "sip_target"),
		ringTimeout: readNumber(store, "ring_timeout"),
		talkLimit: readNumber(store, "talk_limit"),
		digestUri: readText(store, "digest_uri") === "registrar" ? "registrar" : "request",
		allowAnySource: readNumber(store, "allow_any_src") === 1,
		hdVoice: readNumber(store, "hd_voice") === 1,
		autoAnswer: readNumber(store, "auto_answer") === 1,
	};
}

/** The local SIP port (5062 by default, kept apart from the PBX's 5060). */
export function localPortFrom(store: KeyValueStore): number {
	return readNumber(store, "local_port");
}

/** The RTP port offered in SDP (40000 by default). */
export function rtpPortFrom(store: KeyValueStore): number {
	return readNumber(store, "rtp_port");
}
