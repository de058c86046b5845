/*
 * The device's build-time settings from the manifest's `config` section (mcconfig compiles it
 * into the `mc/config` module; `mcconfig … name=value` overrides a key). Each value is checked
 * here, so a bad manifest stops the start-up with a message that names the key.
 */

import config from "mc/config";
import { BOARD_PARTS, chipPinProblem, DEFAULT_BOARD_PINS, MAX_GPIO, type BoardPins } from "../esp32s3-pins.js";

/** The board's parts' pins (BoardPins; -1 for the gong, the LED or the BOOT button not wired) and the rest. */
export interface DeviceSettings extends BoardPins {
	/** The build's network: when given it wins over the one chosen on the set-up page. */
	ssid: string;
	password: string;
	/** The set-up access point's WPA2 password; empty: a random one made at the first set-up. */
	apPassword: string;
	/** The NTP server that sets the clock once Wi-Fi is up ("" for none). */
	sntp: string;
	buttonDebounceMs: number;
	relayActiveLow: boolean;
	gongActiveLow: boolean;
	httpPort: number;
	httpMaxBody: number;
	/** Hand the client's address (from the SDK's socket) to the routes, for their logs. */
	httpRemoteAddress: boolean;
	/**
	 * Claim `<hostname>.local` by mDNS. Off on the SDK's Linux build: there every multicast socket
	 * fails half-built, and collecting it closes file descriptor 0 (see ./mdns.ts).
	 */
	mdns: boolean;
	audio: boolean;
	sampleRate: number;
	speakerQueueMs: number;
	/** The camera for the live image (the XIAO ESP32S3 Sense's), and the frame size asked of it. */
	liveImage: boolean;
	liveImageSize: number;
	/** The firmware's version: package.json's, kept equal in the manifest's config (a unit test checks). */
	version: string;
}

const source = config as Record<string, unknown>;

function integer(key: string, fallback: number, min: number, max: number): number {
	const raw = source[key];
	if (raw === undefined || raw === "") return fallback;
	const value = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`manifest config ${key}: a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
	return value;
}

/** A GPIO the ESP32-S3 can open (or -1 for none, where `optional`): another one would stop the firmware at every start. */
function gpio(key: string, fallback: number, optional: boolean): number {
	const pin = integer(key, fallback, optional ? -1 : 0, MAX_GPIO);
	const problem = pin >= 0 ? chipPinProblem(pin) : undefined;
	if (problem) throw new RangeError(`manifest config ${key}: cannot be ${pin}: ${problem}`);
	return pin;
}

function flag(key: string, fallback: boolean): boolean {
	const raw = source[key];
	if (raw === undefined || raw === "") return fallback;
	if (raw === true || raw === 1 || raw === "1" || raw === "true") return true;
	if (raw === false || raw === 0 || raw === "0" || raw === "false") return false;
	throw new RangeError(`manifest config ${key}: true or false, not ${JSON.stringify(raw)}`);
}

function text(key: string): string {
	const raw = source[key];
	return raw === undefined || raw === null ? "" : String(raw);
}

function accessPointPassword(): string {
	const value = text("ap_password");
	if (value && (value.length < 8 || value.length > 63)) throw new RangeError("manifest config ap_password: 8 to 63 characters, or empty for a random one");
	return value;
}

/** Reads and checks the settings; throws RangeError naming the key. */
export function deviceSettings(): DeviceSettings {
	const settings: DeviceSettings = {
		ssid: text("ssid"),
		password: text("password"),
		apPassword: accessPointPassword(),
		sntp: text("sntp"),
		buttonPin: gpio("button_pin", DEFAULT_BOARD_PINS.buttonPin, false),
		buttonDebounceMs: integer("button_debounce_ms", 30, 1, 500),
		relayPin: gpio("relay_pin", DEFAULT_BOARD_PINS.relayPin, false),
		relayActiveLow: flag("relay_active_low", false),
		gongPin: gpio("gong_pin", DEFAULT_BOARD_PINS.gongPin, true),
		gongActiveLow: flag("gong_active_low", false),
		ledPin: gpio("led_pin", DEFAULT_BOARD_PINS.ledPin, true),
		bootButtonPin: gpio("boot_button_pin", DEFAULT_BOARD_PINS.bootButtonPin, true),
		httpPort: integer("http_port", 80, 1, 65535),
		httpMaxBody: integer("http_max_body", 8192, 256, 65536),
		httpRemoteAddress: flag("http_remote_address", true),
		mdns: flag("mdns", true),
		audio: flag("audio", true),
		sampleRate: integer("sample_rate", 16000, 8000, 48000),
		speakerQueueMs: integer("speaker_queue_ms", 200, 20, 2000),
		liveImage: flag("live_image", true),
		liveImageSize: integer("live_image_size", 240, 96, 640),
		version: text("version") || "unknown",
	};
	partsApart(settings);
	return settings;
}

/**
 * One GPIO serves one part of the board (BOARD_PARTS, the ones the bell buttons' pins are checked
 * against): on a shared pin the firmware would open it as two parts, and one would read or drive
 * the other's line (the status LED's blinking would pulse the door relay). The BOOT button, held
 * 10 s, resets the admin password: with the door button on it (button_pin 0 and the default
 * boot_button_pin 0) a visitor holding the bell would reset the password. Throws RangeError naming
 * both keys.
 */
function partsApart(settings: DeviceSettings): void {
	BOARD_PARTS.forEach((first, index) => {
		const pin = settings[first.field];
		if (pin < 0) return;
		for (const second of BOARD_PARTS.slice(index + 1)) {
			if (settings[second.field] !== pin) continue;
			const besideBoot = first.field === "bootButtonPin" ? second : second.field === "bootButtonPin" ? first : undefined;
			if (besideBoot) throw new RangeError(`manifest config boot_button_pin: cannot be ${pin}: ${besideBoot.key} uses it, and the BOOT button held resets the admin password (a board without one: -1)`);
			throw new RangeError(`manifest config ${first.key} and ${second.key}: cannot both be ${pin}: one GPIO serves one part, and ${first.part} and ${second.part} would read or drive each other's line`);
		}
	});
}
