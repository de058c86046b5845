/*
 * The size of the embedded /sip page as the doorbell sends it, raw and gzipped (the aim is under
 * 8 KB gzipped), with every field filled, door events listed and an error at each field.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { settingsPage, firstRunPage, loginPage } from "../../web/page.js";
import { KEYS } from "../../config/keys.js";

const AIM = 8 * 1024;

function measure(name: string, html: string): number {
	const raw = Buffer.byteLength(html, "utf8");
	const gzipped = gzipSync(html, { level: 9 }).length;
	console.log(`# page size: ${name}: ${raw} bytes, ${gzipped} bytes gzipped`);
	return gzipped;
}

test("the settings page is under 8 KB gzipped, also with an error at every field and door events", () => {
	const values: Record<string, string | number> = {};
	const errors: Record<string, string> = {};
	for (const spec of KEYS) {
		values[spec.key] = spec.fallback;
		errors[spec.key] = `${spec.label} must be a whole number from 1 to 65535`;
	}
	const status = {
		registered: false, registration: "failed", sip_user: "620", sip_server: "fritz.box", call: "idle",
		last_error: "the PBX refused the call to **610: 403 Forbidden",
		door_events: Array.from({ length: 20 }, (_, i) => ({ kind: i % 2 ? "opened" : "wrong_code", time: "2026-12-01T19:00:00.000Z", caller: "Küche <sip:611@fritz.box>", reason: "wrong code", count: 1 })),
	};
	const plain = measure("settings page", settingsPage({ values, errors: {}, hasPassword: true, csrf: "0".repeat(48), status }, "0".repeat(24)));
	const withErrors = measure("settings page with an error at every field", settingsPage({ values, errors, hasPassword: true, csrf: "0".repeat(48), status }, "0".repeat(24)));
	const first = measure("first-run page", firstRunPage("0".repeat(32), "0".repeat(24)));
	const login = measure("sign-in page", loginPage("0".repeat(24)));
	for (const size of [plain, withErrors, first, login]) assert.ok(size < AIM, `${size} bytes gzipped`);
});
