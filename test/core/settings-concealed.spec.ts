import { test, group, assert } from "../lib/spec.js";
import type { KeyValueStore } from "../../modules/ports.js";
import { doorSettingsFrom } from "../../config/door.js";
import { uaConfigFrom, SettingsError } from "../../config/ua-config.js";
import { readSetting } from "../../config/read.js";

/** A store holding exactly `data`. */
function store(data: Record<string, Record<string, string | number>>): KeyValueStore {
	return {
		get: (namespace, key) => data[namespace]?.[key],
		set: () => { throw new Error("read only"); },
		delete: () => { throw new Error("read only"); },
		keys: (namespace) => Object.keys(data[namespace] ?? {}),
	};
}

function messageOf(body: () => unknown): string {
	try {
		body();
	} catch (error) {
		assert.ok(error instanceof SettingsError, String(error));
		return (error as Error).message;
	}
	throw new Error("no SettingsError");
}

group("settings: secrets stay out of messages", () => {
	test("a bad stored door code is named by key, never repeated", () => {
		for (const code of ["98765432109876543", "47x1", "1 2"]) {
			const message = messageOf(() => doorSettingsFrom(store({ door: { code } })));
			assert.match(message, /^setting door\.code: must be 1 to 16 keys: digits, \* and # \(stored: hidden\)$/);
			assert.ok(!message.includes(code), message);
		}
		const number = messageOf(() => readSetting(store({ door: { code: 987654321098765432 } }), "code"));
		assert.ok(!number.includes("98765432109"), number);
	});

	test("a bad stored SIP password is named by key, never repeated", () => {
		const password = "geh\neim-4711";
		const message = messageOf(() => uaConfigFrom(store({ sip: { sip_user: "620", sip_password: password } })));
		assert.match(message, /^setting sip\.sip_password: .* \(stored: hidden\)$/);
		assert.ok(!message.includes("geh") && !message.includes("4711"), message);
		const long = "x".repeat(80) + "SECRET";
		assert.ok(!messageOf(() => readSetting(store({ sip: { sip_password: long } }), "sip_password")).includes("SECRET"));
	});

	test("other bad values are still shown, so the message helps", () => {
		const message = messageOf(() => readSetting(store({ sip: { sip_port: "fünf" } }), "sip_port"));
		assert.match(message, /\(stored: "fünf"\)$/);
	});
});
