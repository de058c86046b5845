/*
 * The home network's Wi-Fi credentials, kept in their own NVS namespace `wifi` (keys `ssid` and
 * `pass`), and the access point's password (`ap_pass`) made at the first set-up. The passwords
 * are written only: no page, status or log line shows them.
 */

import type { KeyValueStore, RandomBytes } from "../modules/ports.js";
import { utf8Length } from "../modules/text.js";

export const WIFI_NAMESPACE = "wifi";
const SSID_KEY = "ssid";
const PASSWORD_KEY = "pass";
const AP_PASSWORD_KEY = "ap_pass";

/**
 * A WPA2 passphrase is 8 to 63 printable ASCII characters, or the 256-bit key itself as 64 hex
 * digits (IEEE 802.11i), which the ESP-IDF takes as the key; an SSID is 1 to 32 bytes.
 */
export const MIN_WIFI_PASSWORD = 8;
export const MAX_WIFI_PASSWORD = 63;
export const MAX_SSID_BYTES = 32;
/** Made where it is used: a preloaded RegExp leaks at every match on the SDK's XS. */
const HEX_KEY = (): RegExp => /^[0-9a-fA-F]{64}$/;

export interface WifiCredentials {
	ssid: string;
	/** Empty for an open network. */
	password: string;
}

/** Why an SSID cannot be joined, or undefined. */
export function ssidProblem(ssid: string): string | undefined {
	if (!ssid) return "choose a network";
	if (utf8Length(ssid) > MAX_SSID_BYTES) return `a network name has at most ${MAX_SSID_BYTES} bytes`;
	if (/[\x00-\x1f\x7f]/.test(ssid)) return "a network name has no control characters";
	return undefined;
}

/** Why a Wi-Fi password cannot be right, or undefined (empty: an open network). */
export function wifiPasswordProblem(password: string): string | undefined {
	if (password === "" || HEX_KEY().test(password)) return undefined;
	if (password.length < MIN_WIFI_PASSWORD || password.length > MAX_WIFI_PASSWORD) return `a Wi-Fi password has ${MIN_WIFI_PASSWORD} to ${MAX_WIFI_PASSWORD} characters (or is a key of 64 hex digits)`;
	if (!/^[\x20-\x7e]+$/.test(password)) return "a Wi-Fi password has only printable ASCII characters";
	return undefined;
}

/** The stored credentials, or undefined when none (or unusable ones) are stored. */
export function storedWifi(store: KeyValueStore): WifiCredentials | undefined {
	const ssid = store.get(WIFI_NAMESPACE, SSID_KEY);
	const password = store.get(WIFI_NAMESPACE, PASSWORD_KEY) ?? "";
	if (typeof ssid !== "string" || typeof password !== "string" || ssidProblem(ssid) || wifiPasswordProblem(password)) return undefined;
	return { ssid, password };
}

/** Stores checked credentials (the password first: a reset between the two leaves no half pair in use). */
export function storeWifi(store: KeyValueStore, credentials: WifiCredentials): void {
	store.set(WIFI_NAMESPACE, PASSWORD_KEY, credentials.password);
	store.set(WIFI_NAMESPACE, SSID_KEY, credentials.ssid);
}

/** Letters and digits that cannot be mistaken for one another when read off a console. */
const AP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const AP_PASSWORD_LENGTH = 12;

/**
 * The access point's WPA2 password: `given` (the build's `ap_password`) when set, else the one
 * stored at the first set-up, else a new random one that is stored for the next start.
 */
export function accessPointPassword(store: KeyValueStore, random: RandomBytes, given = ""): string {
	if (given) return given;
	const stored = store.get(WIFI_NAMESPACE, AP_PASSWORD_KEY);
	if (typeof stored === "string" && stored.length >= MIN_WIFI_PASSWORD) return stored;
	const password = randomText(random, AP_ALPHABET, AP_PASSWORD_LENGTH);
	store.set(WIFI_NAMESPACE, AP_PASSWORD_KEY, password);
	return password;
}

/**
 * `length` letters of `alphabet`, each equally likely: a byte at or above the largest multiple
 * of the alphabet's size below 256 is drawn again (byte % 31 alone would make the first 8
 * letters 9/8 as likely as the rest).
 */
function randomText(random: RandomBytes, alphabet: string, length: number): string {
	const limit = 256 - (256 % alphabet.length);
	const bytes = new Uint8Array(length);
	let text = "";
	while (text.length < length) {
		random(bytes);
		for (let i = 0; i < bytes.length && text.length < length; i++) if (bytes[i] < limit) text += alphabet[bytes[i] % alphabet.length];
	}
	return text;
}

/** The access point's name: `klingel-` and the last two bytes of the MAC. */
export function accessPointName(radioId: string): string {
	return `klingel-${radioId}`;
}
