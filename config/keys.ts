/*
 * Every setting the doorbell keeps, by NVS namespace and key (at most 15 characters each), with
 * its default (taken from the part that uses the setting), its form label and its check. The keys of the `sip` namespace that the earlier
 * C++ firmware wrote (sip_user, sip_password, sip_displayname, sip_target) keep their names
 * and their string form, so its settings are read as they are.
 */

import { DEFAULT_LOCAL_PORT, DEFAULT_UA_CONFIG as UA } from "../sip/config.js";
import { DEFAULT_RTP_PORT } from "../rtp/rtp-port.js";
import { DEFAULT_DOOR_SETTINGS as DOOR } from "../door/door-opener.js";
import { checkChoice, checkCode, checkDisplayName, checkHostLabel, checkFlag, checkFreePin, checkHookUrl, checkHost, checkInteger, checkMqttUser, checkOptionalHost, checkOptionalTarget, checkPassword, checkTarget, checkTopicPrefix, checkUser, restoreHookPassword, type Check } from "./checks.js";
import { loggedUrl, redactUrl } from "../home/webhooks.js";

export type SettingValue = string | number;

export type Namespace = "sip" | "door" | "camera" | "bell" | "net" | "mqtt" | "hook" | "audio";

export interface KeySpec {
	namespace: Namespace;
	key: string;
	/** "text" and "secret" are stored as strings, "int" and "flag" as integers. */
	kind: "text" | "secret" | "int" | "flag";
	fallback: SettingValue;
	label: string;
	/** Turns the raw value (from a form, JSON or the store) into the stored one, or throws a CheckError. */
	check: Check;
	/** A value never repeated in a message or a log line (the door code; "secret" keys always are). */
	concealed?: boolean;
	/** Takes effect only after a restart (the ports the doorbell binds at start). */
	restart?: boolean;
	/** How the page shows the value (a webhook URL without its password); saving that text back changes nothing. */
	redact?: (value: string) => string;
	/** How a log line or message shows a stored value that fails its check (a webhook URL without its password or query); "secret" and concealed keys show nothing of it. */
	logged?: (value: string) => string;
	/** Puts what `redact` hid back into an edited value (raw from the page, the stored value), or throws a CheckError saying why it may not. */
	unredact?: (raw: string, stored: string) => string;
	/** An empty string is a value of its own (turns the feature off), not "use the default". */
	emptyIsValue?: boolean;
	/**
	 * What a stored value that fails its check counts as, where the default would be unsafe: the
	 * door code's is "", which opens nothing (its default 123 would let in anyone who knows it).
	 */
	badValue?: SettingValue;
	/** What the door does meanwhile, in words, where it does not use the default (see badSettingWords). */
	badMeans?: string;
}

function int(namespace: Namespace, key: string, fallback: number, min: number, max: number, label: string, unit = ""): KeySpec {
	// The check keeps constants, not the parameters: a closure over a parameter (a binding that
	// could change) costs the preloaded module a slot of RAM on the device.
	const low = min, high = max, text = unit;
	return { namespace, key, kind: "int", fallback, label, check: (raw) => checkInteger(raw, low, high, text) };
}

export const KEYS: readonly KeySpec[] = Object.freeze([
	{ namespace: "sip", key: "sip_user", kind: "text", fallback: UA.user, label: "User name", check: checkUser },
	{ namespace: "sip", key: "sip_password", kind: "secret", fallback: UA.password, label: "Password", check: checkPassword },
	{ namespace: "sip", key: "sip_displayname", kind: "text", fallback: UA.displayName, label: "Display name", check: checkDisplayName },
	{ namespace: "sip", key: "sip_target", kind: "text", fallback: UA.target, label: "Number to ring", check: checkTarget },
	{ namespace: "sip", key: "sip_server", kind: "text", fallback: UA.server, label: "PBX address", check: checkHost },
	int("sip", "sip_port", UA.serverPort, 1, 65535, "PBX port"),
	{ ...int("sip", "local_port", DEFAULT_LOCAL_PORT, 1, 65535, "Local SIP port"), restart: true },
	{ ...int("sip", "rtp_port", DEFAULT_RTP_PORT, 1, 65535, "RTP port"), restart: true },
	int("sip", "ring_timeout", UA.ringTimeout, 5, 300, "Ring for (s)", " s"),
	int("sip", "talk_limit", UA.talkLimit, 10, 3600, "Talk at most (s)", " s"),
	{ namespace: "sip", key: "digest_uri", kind: "text", fallback: UA.digestUri, label: "Digest URI", check: (raw) => checkChoice(raw, ["request", "registrar"]) },
	{ namespace: "sip", key: "allow_any_src", kind: "flag", fallback: UA.allowAnySource ? 1 : 0, label: "Accept calls from any address", check: checkFlag },
	{ namespace: "sip", key: "hd_voice", kind: "flag", fallback: UA.hdVoice ? 1 : 0, label: "HD voice (G.722)", check: checkFlag },
	{ namespace: "sip", key: "auto_answer", kind: "flag", fallback: UA.autoAnswer ? 1 : 0, label: "Answer handsets' calls at once", check: checkFlag },
	{ namespace: "door", key: "code", kind: "text", fallback: DOOR.code, label: "Door code", check: checkCode, concealed: true, badValue: "", badMeans: "no code opens the door until a valid code is saved" },
	int("door", "pulse_ms", DOOR.pulseMs, 100, 10000, "Relay pulse (ms)", " ms"),
	int("door", "max_openings", DOOR.maxOpenings, 1, 9, "Openings per call"),
	int("door", "hangup_after", (DOOR.hangupAfterMs ?? 0) / 1000, 0, 60, "Hang up after opening (s)", " s"),
	// The name on the LAN, announced by mDNS as <name>.local with the web page as _http._tcp.
	{ namespace: "net", key: "hostname", kind: "text", fallback: "klingel", label: "Name on the network", check: checkHostLabel, restart: true },
	{ namespace: "mqtt", key: "host", kind: "text", fallback: "", label: "MQTT broker", check: checkOptionalHost },
	int("mqtt", "port", 1883, 1, 65535, "MQTT port"),
	{ namespace: "mqtt", key: "user", kind: "text", fallback: "", label: "MQTT user", check: checkMqttUser },
	{ namespace: "mqtt", key: "password", kind: "secret", fallback: "", label: "MQTT password", check: checkPassword },
	{ namespace: "mqtt", key: "prefix", kind: "text", fallback: "klingel", label: "Topic prefix", check: (raw) => checkTopicPrefix(raw, false) },
	{ namespace: "mqtt", key: "discovery", kind: "text", fallback: "homeassistant", label: "Discovery prefix", check: (raw) => checkTopicPrefix(raw, true), emptyIsValue: true },
	{ namespace: "mqtt", key: "door_open", kind: "flag", fallback: 0, label: "Remote door opening", check: checkFlag },
	{ namespace: "hook", key: "url1", kind: "text", fallback: "", label: "Webhook 1", check: checkHookUrl, redact: redactUrl, unredact: restoreHookPassword, logged: loggedUrl },
	{ namespace: "hook", key: "url2", kind: "text", fallback: "", label: "Webhook 2", check: checkHookUrl, redact: redactUrl, unredact: restoreHookPassword, logged: loggedUrl },
	// The echo canceller between the door's speaker and microphone (applies from the next call).
	{ namespace: "audio", key: "aec", kind: "flag", fallback: 1, label: "Echo control", check: checkFlag },
	{ namespace: "camera", key: "cam_enabled", kind: "flag", fallback: 1, label: "Live image", check: checkFlag },
	// Bell button 1 rings sip_target under sip_displayname on the manifest's button_pin, as before.
	{ namespace: "bell", key: "bell1_gong", kind: "flag", fallback: 1, label: "Button 1 sounds the gong", check: checkFlag },
	...bellKeys(2, 5),
	...bellKeys(3, 6),
	...bellKeys(4, 43),
]);

/** Bell button n (2-4): unused while its number is empty. Default pins are the XIAO's D4, D5, D6. A pin is opened at start-up, so only free ones are taken. */
function bellKeys(n: number, pin: number): KeySpec[] {
	return [
		{ namespace: "bell", key: `bell${n}_target`, kind: "text", fallback: "", label: `Button ${n}: number to ring`, check: checkOptionalTarget },
		{ namespace: "bell", key: `bell${n}_name`, kind: "text", fallback: "", label: `Button ${n}: caller name`, check: checkDisplayName },
		// bellsFrom leaves the button without an input rather than take the default pin, which another part may use.
		{ namespace: "bell", key: `bell${n}_pin`, kind: "int", fallback: pin, label: `Button ${n}: GPIO`, check: checkFreePin, restart: true, badMeans: `button ${n} gets no input (the web page still rings it) until a free pin is saved and the door restarts` },
		{ namespace: "bell", key: `bell${n}_gong`, kind: "flag", fallback: 1, label: `Button ${n} sounds the gong`, check: checkFlag },
	];
}

const BY_KEY: Record<string, KeySpec> = {};
for (const spec of KEYS) BY_KEY[spec.key] = Object.freeze(spec);
Object.freeze(BY_KEY);

/** Whether a changed key waits for a restart (unknown keys do not). */
export function needsRestart(key: string): boolean {
	return keySpec(key)?.restart === true;
}

/** The spec of a key (keys are unique across namespaces), or undefined. */
export function keySpec(key: string): KeySpec | undefined {
	return Object.prototype.hasOwnProperty.call(BY_KEY, key) ? BY_KEY[key] : undefined;
}
