/*
 * The check of each kind of setting. A check takes the raw value as it came (a form field, a
 * JSON value or what the store holds) and returns the value to store, or throws a CheckError
 * whose message is written for the person filling in the form.
 */

import { encodeHookUrl, restorePassword } from "../home/webhooks.js";
import { isDoorCode } from "../door/door-opener.js";
import { buttonPinProblem, chipPinProblem, MAX_GPIO, type BoardPins } from "../modules/esp32s3-pins.js";

export class CheckError extends Error {}

/**
 * `board` is where the build wires the board's parts (its config's pins: the BOOT button, the
 * relays, the LED, the door button), none of which a bell button's pin may be; absent: the
 * default wiring. The other checks ignore it.
 */
export type Check = (raw: unknown, board?: Readonly<BoardPins>) => string | number;

function describe(c: string): string {
	if (c === " ") return "a space";
	if (c === "\r" || c === "\n") return "a line break";
	if (c === "\t") return "a tab";
	if (c === '"' || c === "'") return "a quote";
	const code = c.charCodeAt(0);
	if (code < 0x20 || code === 0x7f) return "a control character";
	return `"${c}"`;
}

function asText(raw: unknown): string {
	if (typeof raw === "string") return raw;
	if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
	throw new CheckError("must be text");
}

/** The first character of `value` outside `allowed`, described, or undefined. */
function firstBad(value: string, allowed: RegExp): string | undefined {
	for (const c of value) if (!allowed.test(c)) return describe(c);
	return undefined;
}

/** A SIP user part: no spaces, quotes, line breaks or URI delimiters, so no header can be injected. */
const USER_CHAR = (): RegExp => /^[A-Za-z0-9._~!$&*+=-]$/;
export const checkUser: Check = (raw) => {
	const value = asText(raw).trim();
	if (value.length > 64) throw new CheckError("must be at most 64 characters");
	const bad = firstBad(value, USER_CHAR());
	if (bad) throw new CheckError(`must not contain ${bad} (allowed: letters, digits and . _ ~ ! $ & * + = -)`);
	return value;
};

/** The number to ring: digits, * and # style codes or a user name (e.g. **610, 611, **9). */
const TARGET_CHAR = (): RegExp => /^[A-Za-z0-9*._+-]$/;
export const checkTarget: Check = (raw) => {
	const value = asText(raw).trim();
	if (value === "") throw new CheckError("must not be empty (e.g. **610 or **9)");
	if (value.length > 32) throw new CheckError("must be at most 32 characters");
	const bad = firstBad(value, TARGET_CHAR());
	if (bad) throw new CheckError(`must not contain ${bad} (allowed: digits, letters and * . _ + -)`);
	return value;
};

/** A bell button's number: empty (the button is not used) or a number as for sip_target. */
export const checkOptionalTarget: Check = (raw) => {
	const value = asText(raw).trim();
	return value === "" ? "" : checkTarget(value);
};

/** The password: stored as written, but never a line break or NUL (it goes into digests only). */
export const checkPassword: Check = (raw) => {
	const value = asText(raw);
	if (value.length > 64) throw new CheckError("must be at most 64 characters");
	if (/[\x00-\x1f\x7f]/.test(value)) throw new CheckError("must not hold line breaks or control characters");
	return value;
};

/** The display name goes out as a quoted string with " and \ escaped; one line, no control characters. */
export const checkDisplayName: Check = (raw) => {
	const value = asText(raw).trim();
	if (value.length > 64) throw new CheckError("must be at most 64 characters");
	if (/[\x00-\x1f\x7f]/.test(value)) throw new CheckError("must be one line without control characters");
	return value;
};

/** A host name or IPv4 address. */
export const checkHost: Check = (raw) => {
	const value = asText(raw).trim();
	if (value === "") throw new CheckError("must not be empty (fritz.box or the PBX's address)");
	if (value.length > 253) throw new CheckError("must be at most 253 characters");
	const bad = firstBad(value, /^[A-Za-z0-9.-]$/);
	if (bad) throw new CheckError(`must be a host name or an IPv4 address, not containing ${bad}`);
	for (const label of value.split(".")) {
		if (label === "" || label.length > 63 || label[0] === "-" || label[label.length - 1] === "-") throw new CheckError("must be a host name or an IPv4 address (e.g. fritz.box or 192.168.178.1)");
	}
	return value;
};

export function checkInteger(raw: unknown, min: number, max: number, unit = ""): number {
	let n: number;
	if (typeof raw === "number") n = raw;
	else if (typeof raw === "string" && /^\s*\d{1,9}\s*$/.test(raw)) n = Number(raw);
	else n = NaN;
	if (!Number.isInteger(n) || n < min || n > max) throw new CheckError(`must be a whole number from ${min} to ${max}${unit}`);
	return n;
}

/** A bell button's GPIO: one the ESP32-S3 can open, fit for a button, and no part of `board` uses; the message names the pin and why not (the part, the reason the pin is refused, or both). */
export function checkFreePin(raw: unknown, board?: Readonly<BoardPins>): number {
	const pin = checkInteger(raw, 0, MAX_GPIO);
	const problem = chipPinProblem(pin) ?? buttonPinProblem(pin, board);
	if (problem) throw new CheckError(`cannot be ${pin}: ${problem}`);
	return pin;
}

export function checkChoice(raw: unknown, choices: string[]): string {
	const value = asText(raw).trim();
	if (choices.indexOf(value) < 0) throw new CheckError(`must be ${choices.map((c) => `"${c}"`).join(" or ")}`);
	return value;
}

/** A yes/no setting stored as 0 or 1; forms send "1"/"on", JSON true/false. */
export const checkFlag: Check = (raw) => {
	if (raw === true || raw === 1 || raw === "1" || raw === "on" || raw === "true") return 1;
	if (raw === false || raw === 0 || raw === "0" || raw === "" || raw === "false") return 0;
	throw new CheckError("must be 0 or 1");
};

/** The door code: 1 to 16 keys of 0-9, * and # (a FRITZ!Fon's door key sends e.g. #9). */
export const checkCode: Check = (raw) => {
	const value = asText(raw).trim();
	if (!isDoorCode(value)) throw new CheckError("must be 1 to 16 keys: digits, * and #");
	return value;
};

/** A name on the LAN (the `klingel` of klingel.local): one DNS label, lowercase (RFC 1123, RFC 6762). */
export const checkHostLabel: Check = (raw) => {
	const value = asText(raw).trim().toLowerCase();
	if (value === "") throw new CheckError("is required");
	if (value.length > 63) throw new CheckError("must be at most 63 characters");
	const bad = firstBad(value, /[a-z0-9-]/);
	if (bad) throw new CheckError(`may hold only letters, digits and "-", not ${bad}`);
	if (value.startsWith("-") || value.endsWith("-")) throw new CheckError('must not start or end with "-"');
	return value;
};

/** A host name or IPv4 address, or empty (the feature is off). */
export const checkOptionalHost: Check = (raw) => (asText(raw).trim() === "" ? "" : checkHost(raw));

/** An MQTT user name: one line, no control characters. */
export const checkMqttUser: Check = (raw) => {
	const value = asText(raw).trim();
	if (value.length > 64) throw new CheckError("must be at most 64 characters");
	if (/[\x00-\x1f\x7f]/.test(value)) throw new CheckError("must be one line without control characters");
	return value;
};

/** An MQTT topic prefix: levels of letters, digits, _ and -, separated by single / (never + or #). */
export function checkTopicPrefix(raw: unknown, optional: boolean): string {
	const value = asText(raw).trim();
	if (value === "" && optional) return "";
	if (value === "") throw new CheckError("must not be empty");
	if (value.length > 64) throw new CheckError("must be at most 64 characters");
	if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(value)) throw new CheckError("must be letters, digits, _ and -, in levels separated by single / (no + or #)");
	return value;
}

/** A webhook URL from the page with the stored password put back where the page showed it hidden (restorePassword says when). */
export function restoreHookPassword(raw: string, stored: string): string {
	try {
		return restorePassword(raw.trim(), stored);
	} catch (error) {
		throw new CheckError((error as Error).message);
	}
}

/** The longest webhook URL stored, its path percent-encoded. */
const MAX_HOOK_URL = 200;

/**
 * A webhook: an http:// URL, stored with its path and query percent-encoded (encodeHookUrl), or
 * empty for none. The message never repeats the URL (it may hold a password).
 */
export const checkHookUrl: Check = (raw) => {
	const value = asText(raw).trim();
	if (value === "") return "";
	if (value.length > MAX_HOOK_URL) throw new CheckError(`must be at most ${MAX_HOOK_URL} characters`);
	let stored: string;
	try {
		stored = encodeHookUrl(value);
	} catch (error) {
		throw new CheckError((error as Error).message);
	}
	if (stored.length > MAX_HOOK_URL) throw new CheckError(`must be at most ${MAX_HOOK_URL} characters, and is ${stored.length} with the characters of its path beyond ASCII percent-encoded (ä becomes %C3%A4)`);
	return stored;
};
