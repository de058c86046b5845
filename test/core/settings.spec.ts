import { test, group, assert } from "../lib/spec.js";
import type { KeyValueStore } from "../../modules/ports.js";
import { Settings, UNDO_KEY, UNDO_NAMESPACE } from "../../config/settings.js";
import { uaConfigFrom, localPortFrom, rtpPortFrom, SettingsError } from "../../config/ua-config.js";
import { doorSettingsFrom } from "../../config/door.js";
import { KEYS } from "../../config/keys.js";
import { readSetting } from "../../config/read.js";
import { NVS_MAX_NAME } from "../../modules/ports.js";
import { UaHarness } from "../lib/ua-harness.js";

type Data = Record<string, Record<string, string | number>>;

/** An NVS-like store in memory that can be told to fail from the n-th write on. */
class TestStore implements KeyValueStore {
	data: Data;
	writes = 0;
	/** Writes (set or delete) from this number on throw; 0 = never. */
	failFrom = 0;
	/** When set, every write after the first failure throws too (the device lost power). */
	dead = false;
	constructor(data: Data = {}) {
		this.data = JSON.parse(JSON.stringify(data));
	}
	#write(): void {
		this.writes++;
		if (this.failFrom && (this.writes >= this.failFrom) && (this.dead || this.writes === this.failFrom)) throw new Error("nvs: ESP_ERR_NVS_NOT_ENOUGH_SPACE");
	}
	get(namespace: string, key: string) {
		return this.data[namespace]?.[key];
	}
	set(namespace: string, key: string, value: string | number) {
		if (namespace.length > NVS_MAX_NAME || key.length > NVS_MAX_NAME) throw new Error(`NVS name too long: ${namespace}/${key}`);
		this.#write();
		(this.data[namespace] ??= {})[key] = value;
	}
	delete(namespace: string, key: string) {
		this.#write();
		if (this.data[namespace]) delete this.data[namespace][key];
	}
	keys(namespace: string) {
		return Object.keys(this.data[namespace] ?? {});
	}
	/** The data without empty namespaces. */
	snapshot(): string {
		const out: Data = {};
		for (const ns of Object.keys(this.data)) if (Object.keys(this.data[ns]).length) out[ns] = this.data[ns];
		return JSON.stringify(out);
	}
}

/** What the earlier C++ firmware left in NVS: strings only, under these exact names. */
const LEGACY: Data = { sip: { sip_user: "620", sip_password: "alt-geheim", sip_displayname: "Haustür", sip_target: "**11" } };
const VALID: Data = { sip: { sip_user: "620", sip_password: "geheim", sip_displayname: "Tür", sip_target: "**610", sip_server: "192.168.178.1", sip_port: 5060 }, door: { code: "4711", pulse_ms: 800, max_openings: 1 } };

group("settings", () => {
	test("every namespace and key fits NVS (at most 15 characters) and keys are unique", () => {
		const seen: string[] = [];
		for (const spec of KEYS) {
			assert.ok(spec.key.length <= NVS_MAX_NAME && spec.namespace.length <= NVS_MAX_NAME, spec.key);
			assert.ok(seen.indexOf(spec.key) < 0, `duplicate ${spec.key}`);
			seen.push(spec.key);
		}
		assert.ok(UNDO_NAMESPACE.length <= NVS_MAX_NAME && UNDO_KEY.length <= NVS_MAX_NAME);
	});

	test("defaults: **610 at fritz.box:5060, local 5062, RTP 40000, 30 s ring, 120 s talk, door code 123, 800 ms, one opening", () => {
		const store = new TestStore();
		const config = uaConfigFrom(store);
		assert.deepEqual([config.target, config.server, config.serverPort, config.ringTimeout, config.talkLimit, config.digestUri, config.allowAnySource, config.user], ["**610", "fritz.box", 5060, 30, 120, "request", false, ""]);
		assert.equal(localPortFrom(store), 5062);
		assert.equal(rtpPortFrom(store), 40000);
		assert.deepEqual(doorSettingsFrom(store), { code: "123", pulseMs: 800, maxOpenings: 1, hangupAfterMs: 0 });
	});

	test("the earlier C++ firmware's keys are read as they are", () => {
		const store = new TestStore(LEGACY);
		const config = uaConfigFrom(store);
		assert.deepEqual([config.user, config.password, config.displayName, config.target], ["620", "alt-geheim", "Haustür", "**11"]);
		const { values, problems } = new Settings(store).values();
		assert.deepEqual([values.sip_user, values.sip_displayname, values.sip_target], ["620", "Haustür", "**11"]);
		assert.deepEqual(problems, {});
		assert.ok(!("sip_password" in values), "the password is not among the values for the page");
		assert.equal(store.writes, 0, "reading writes nothing");
	});

	test("numbers stored as strings (as the earlier firmware stored everything) are read as numbers", () => {
		const store = new TestStore({ sip: { sip_port: "5070", local_port: "5064" }, door: { pulse_ms: "1200", max_openings: "2" } });
		assert.equal(uaConfigFrom(store).serverPort, 5070);
		assert.equal(localPortFrom(store), 5064);
		assert.deepEqual(doorSettingsFrom(store), { code: "123", pulseMs: 1200, maxOpenings: 2, hangupAfterMs: 0 });
	});

	test("a bad stored value is an error naming the key, not a silent default", () => {
		assert.throws(() => uaConfigFrom(new TestStore({ sip: { sip_port: 70000 } })), /setting sip\.sip_port: .*1 to 65535/);
		assert.throws(() => uaConfigFrom(new TestStore({ sip: { sip_target: "**610\r\nX-Evil: 1" } })), /setting sip\.sip_target: .*line break/);
		assert.throws(() => doorSettingsFrom(new TestStore({ door: { code: "12a" } })), /setting door\.code: must be 1 to 16 keys: digits, \* and #/);
		try {
			uaConfigFrom(new TestStore({ sip: { sip_password: "a\nb" } }));
			assert.ok(false, "expected a SettingsError");
		} catch (error) {
			assert.ok(error instanceof SettingsError);
			assert.equal(error.key, "sip.sip_password");
			assert.ok(!/a\nb/.test(error.message), "the stored password is not in the message");
		}
	});

	group("validation", () => {
		const bad: Array<[string, unknown, RegExp]> = [
			["sip_user", "62 0", /User name must not contain a space/],
			["sip_user", "620\r\nVia: SIP/2.0/UDP evil", /contain a line break/],
			["sip_user", '620"', /contain a quote/],
			["sip_user", "620'", /contain a quote/],
			["sip_user", "620@evil.example", /contain "@"/],
			["sip_user", "620;tag=1", /contain ";"/],
			["sip_user", "620>", /contain ">"/],
			["sip_user", "x".repeat(65), /at most 64/],
			["sip_target", "", /must not be empty/],
			["sip_target", "**610\nX", /contain a line break/],
			["sip_target", "**6 10", /contain a space/],
			["sip_target", '**610"', /contain a quote/],
			["sip_target", "**610@evil", /contain "@"/],
			["sip_password", "pass\r\nword", /line breaks/],
			["sip_displayname", "Tür\r\nX-Injected: 1", /one line/],
			["sip_displayname", "x".repeat(65), /at most 64/],
			["sip_server", "", /must not be empty/],
			["sip_server", "fritz box", /host name/],
			["sip_server", "fritz..box", /host name/],
			["sip_server", "evil.example\r\nX: 1", /host name/],
			["sip_port", "0", /PBX port must be a whole number from 1 to 65535/],
			["sip_port", "65536", /1 to 65535/],
			["sip_port", "50.6", /1 to 65535/],
			["sip_port", "-1", /1 to 65535/],
			["sip_port", "abc", /1 to 65535/],
			["sip_port", 1.5, /1 to 65535/],
			["local_port", 0, /Local SIP port must be a whole number from 1 to 65535/],
			["rtp_port", "99999", /RTP port must be a whole number from 1 to 65535/],
			["ring_timeout", "4", /from 5 to 300 s/],
			["ring_timeout", "301", /from 5 to 300 s/],
			["talk_limit", "9", /from 10 to 3600 s/],
			["talk_limit", "3601", /from 10 to 3600 s/],
			["digest_uri", "proxy", /must be "request" or "registrar"/],
			["allow_any_src", "2", /must be 0 or 1/],
			["code", "", /Door code must be 1 to 16 keys: digits, \* and #/],
			["code", "12345678901234567", /1 to 16 keys/],
			["code", "12a", /1 to 16 keys/],
			["code", "1 23", /1 to 16 keys/],
			["code", "#9A", /1 to 16 keys/],
			["pulse_ms", "99", /from 100 to 10000 ms/],
			["pulse_ms", "10001", /from 100 to 10000 ms/],
			["max_openings", "0", /from 1 to 9/],
			["max_openings", "10", /from 1 to 9/],
			["sip_user", { toString: () => "620" }, /must be text/],
		];
		for (const [key, value, message] of bad) {
			test(`${key} refuses ${JSON.stringify(value)}`, () => {
				const store = new TestStore(VALID);
				const before = store.snapshot();
				const result = new Settings(store).save({ [key]: value });
				assert.equal(result.ok, false);
				assert.match(result.errors[key] ?? "", message);
				assert.equal(store.snapshot(), before, "nothing was written");
				assert.equal(store.writes, 0);
			});
		}

		const good: Array<[string, unknown, string | number]> = [
			["sip_user", " 620 ", "620"],
			["sip_user", "door.bell-1", "door.bell-1"],
			["sip_target", "**9", "**9"],
			["sip_target", "611", "611"],
			["sip_displayname", 'Haus "Tür" \\ 1', 'Haus "Tür" \\ 1'],
			["sip_server", "fritz.box", "fritz.box"],
			["sip_port", "1", 1],
			["sip_port", 65535, 65535],
			["local_port", "5062", 5062],
			["ring_timeout", "5", 5],
			["talk_limit", "3600", 3600],
			["digest_uri", "registrar", "registrar"],
			["allow_any_src", "on", 1],
			["allow_any_src", false, 0],
			["code", "123", "123"],
			["code", "12345678", "12345678"],
			["pulse_ms", "100", 100],
			["pulse_ms", 10000, 10000],
			["max_openings", "9", 9],
		];
		for (const [key, value, stored] of good) {
			test(`${key} takes ${JSON.stringify(value)} and stores ${JSON.stringify(stored)}`, () => {
				const store = new TestStore(VALID);
				const result = new Settings(store).save({ [key]: value });
				assert.equal(result.ok, true, JSON.stringify(result.errors));
				assert.equal(readSetting(store, key), stored);
			});
		}
	});

	test("a display name with quotes and a backslash goes out escaped inside one quoted string", () => {
		const store = new TestStore(VALID);
		assert.ok(new Settings(store).save({ sip_displayname: 'Haus "Tür" \\' }).ok);
		const ua = new UaHarness(uaConfigFrom(store));
		ua.ua.start();
		const register = ua.one();
		assert.equal(register.header("from")?.replace(/;tag=.*$/, ""), '"Haus \\"Tür\\" \\\\" <sip:620@192.168.178.1>');
	});

	test("several bad fields: every one gets its message, the good ones are not written either", () => {
		const store = new TestStore(VALID);
		const before = store.snapshot();
		const result = new Settings(store).save({ sip_user: "621", sip_target: "**6 10", sip_port: "0", code: "1x" });
		assert.equal(result.ok, false);
		assert.deepEqual(Object.keys(result.errors).sort(), ["code", "sip_port", "sip_target"]);
		assert.equal(store.snapshot(), before);
	});

	test("an unknown key is an error and nothing is saved", () => {
		const store = new TestStore(VALID);
		const result = new Settings(store).save({ sip_user: "621", wifi_pass: "x" });
		assert.equal(result.ok, false);
		assert.match(result.errors.wifi_pass, /not a setting/);
		assert.equal(store.get("sip", "sip_user"), "620");
	});

	test("an empty password means unchanged; a new one replaces it", () => {
		const store = new TestStore(VALID);
		const settings = new Settings(store);
		const first = settings.save({ sip_user: "620", sip_password: "" });
		assert.ok(first.ok);
		assert.deepEqual(first.changed, []);
		assert.equal(store.get("sip", "sip_password"), "geheim");
		assert.deepEqual(settings.save({ sip_password: "neu" }).changed, ["sip_password"]);
		assert.equal(store.get("sip", "sip_password"), "neu");
	});

	test("a webhook URL edited on the page keeps its stored password for the same user and host only", () => {
		const store = new TestStore({ hook: { url1: "http://ha:s%3Acret@HomeAssistant.local:8123/api/webhook/door" } });
		const settings = new Settings(store);
		const shown = settings.values().values.url1 as string;
		assert.equal(shown, "http://ha:***@HomeAssistant.local:8123/api/webhook/door");
		assert.deepEqual(settings.save({ url1: shown }).changed, [], "sent back unchanged");
		const edited = settings.save({ url1: " http://ha:***@homeassistant.local:8124/api/webhook/klingel " });
		assert.deepEqual(edited.changed, ["url1"], JSON.stringify(edited.errors));
		assert.equal(store.get("hook", "url1"), "http://ha:s%3Acret@homeassistant.local:8124/api/webhook/klingel", "port and path edited, the password kept");
		for (const [url, why] of [
			["http://ha:***@evil.example:8124/api/webhook/klingel", "another host"],
			["http://ha:***@homeassistant.local.evil.example/", "another host that begins the same"],
			["http://admin:***@homeassistant.local:8124/api/webhook/klingel", "another user"],
		]) {
			const result = settings.save({ url1: url });
			assert.equal(result.ok, false, why);
			assert.match(result.errors.url1, /^Webhook 1 .*type the password again/, why);
			assert.ok(!result.errors.url1.includes("s%3Acret") && !result.errors.url1.includes("s:cret"), "the message never holds the password");
		}
		const none = settings.save({ url2: shown });
		assert.equal(none.ok, false, "*** where no password is stored");
		assert.match(none.errors.url2, /^Webhook 2 .*type the password/);
		assert.equal(store.get("hook", "url1"), "http://ha:s%3Acret@homeassistant.local:8124/api/webhook/klingel", "nothing written");
		assert.equal(store.get("hook", "url2"), undefined);
		assert.deepEqual(settings.save({ url1: "http://ha:neu@evil.example/" }).changed, ["url1"], "a password typed again goes anywhere");
	});

	test("a webhook URL with characters beyond ASCII in its path is stored percent-encoded, at most 200 characters so", () => {
		const store = new TestStore();
		const settings = new Settings(store);
		assert.deepEqual(settings.save({ url1: "http://ha:pässwort@192.168.178.20:8123/api/webhook/дверь" }).changed, ["url1"]);
		assert.equal(store.get("hook", "url1"), "http://ha:pässwort@192.168.178.20:8123/api/webhook/%D0%B4%D0%B2%D0%B5%D1%80%D1%8C");
		const long = settings.save({ url2: `http://h/${"ä".repeat(40)}` });
		assert.equal(long.ok, false);
		assert.match(long.errors.url2, /^Webhook 2 must be at most 200 characters.*percent-encoded/);
	});

	test("a user name without any password is refused", () => {
		const store = new TestStore();
		const result = new Settings(store).save({ sip_user: "620", sip_password: "" });
		assert.equal(result.ok, false);
		assert.match(result.errors.sip_password, /Password is needed/);
		assert.equal(store.get("sip", "sip_user"), undefined);
	});

	test("an MQTT password without an MQTT user is refused (MQTT 3.1.1 has no password without a user name)", () => {
		const store = new TestStore({ mqtt: { host: "broker.lan" } });
		const settings = new Settings(store);
		for (const change of [{ password: "geheim" }, { user: "  ", password: "geheim" }]) {
			const result = settings.save(change);
			assert.equal(result.ok, false, JSON.stringify(change));
			assert.match(result.errors.password, /^MQTT password needs an MQTT user/);
			assert.ok(!result.errors.password.includes("geheim"));
		}
		assert.equal(store.get("mqtt", "password"), undefined, "nothing written");
		assert.deepEqual(settings.save({ user: "klingel", password: "geheim" }).changed, ["user", "password"]);
		assert.deepEqual(settings.save({ password: "neu" }).changed, ["password"], "with the stored user");
		assert.equal(settings.save({ user: "", password: "neu2" }).ok, false, "nor with the user taken away in the same save");
		assert.deepEqual(settings.save({ user: "" }).changed, ["user"], "the user may go (a password cannot be emptied on the page): the stored password is then not sent");
	});

	test("only changed keys are written, and the undo record is gone afterwards", () => {
		const store = new TestStore(VALID);
		const result = new Settings(store).save({ sip_user: "620", sip_target: "**9", code: "4711", pulse_ms: "900" });
		assert.ok(result.ok);
		assert.deepEqual(result.changed, ["sip_target", "pulse_ms"]);
		assert.equal(store.get(UNDO_NAMESPACE, UNDO_KEY), undefined);
		assert.equal(store.writes, 4, "undo record, two keys, undo removed");
	});

	test("saving a default into an absent key writes nothing; a number stored as a string is rewritten as a number", () => {
		const store = new TestStore({ sip: { sip_user: "620", sip_password: "x", sip_port: "5060" } });
		const result = new Settings(store).save({ local_port: "5062", ring_timeout: 30, sip_port: "5060" });
		assert.deepEqual(result.changed, ["sip_port"]);
		assert.equal(store.get("sip", "sip_port"), 5060);
		assert.equal(store.get("sip", "local_port"), undefined);
	});

	group("all or nothing", () => {
		const change = { sip_user: "621", sip_password: "neu", sip_target: "**9", sip_server: "10.0.0.1", code: "9999", pulse_ms: "1500" };

		for (const failAt of [1, 2, 3, 4, 5, 6, 7, 8]) {
			test(`the store failing at write ${failAt} of 8 leaves the previous settings intact`, () => {
				const store = new TestStore(VALID);
				const before = store.snapshot();
				store.failFrom = failAt;
				const result = new Settings(store).save(change);
				assert.equal(result.ok, false);
				assert.match(result.errors._store, failAt === 8 ? /could not be saved \(the undo record could not be removed\); the previous settings are kept/ : /could not be saved \(nvs: ESP_ERR_NVS_NOT_ENOUGH_SPACE\); the previous settings are kept/);
				assert.equal(store.snapshot(), before);
			});
		}

		test("the same save with a working store writes all six keys", () => {
			const store = new TestStore(VALID);
			const result = new Settings(store).save(change);
			assert.ok(result.ok);
			assert.equal(result.changed.length, 6);
			assert.deepEqual(uaConfigFrom(store).user, "621");
			assert.deepEqual(doorSettingsFrom(store), { code: "9999", pulseMs: 1500, maxOpenings: 1, hangupAfterMs: 0 });
		});

		for (const failAt of [2, 4, 7]) {
			test(`a reset during the save (write ${failAt}, nothing works after it) is rolled back at the next start`, () => {
				const store = new TestStore(VALID);
				const before = store.snapshot();
				store.failFrom = failAt;
				store.dead = true;
				assert.equal(new Settings(store).save(change).ok, false);
				assert.notEqual(store.snapshot(), before, "half written and not rolled back yet");
				// Power comes back.
				store.failFrom = 0;
				const lines: string[] = [];
				const settings = new Settings(store, { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) });
				assert.equal(store.snapshot(), before);
				assert.match(lines.join("\n"), /unfinished save was rolled back/);
				assert.equal(uaConfigFrom(settings.store).user, "620");
			});
		}

		test("keys that did not exist before are removed again by a roll-back", () => {
			const store = new TestStore({ sip: { sip_user: "620", sip_password: "geheim" } });
			const before = store.snapshot();
			store.failFrom = 4;
			assert.equal(new Settings(store).save({ sip_target: "**9", sip_server: "10.0.0.1", ring_timeout: "20" }).ok, false);
			assert.equal(store.snapshot(), before);
		});

		test("an unreadable undo record is dropped without touching the settings", () => {
			const store = new TestStore({ ...VALID, cfg: { undo: "{not json" } });
			new Settings(store);
			assert.equal(store.get("cfg", "undo"), undefined);
			assert.equal(store.get("sip", "sip_user"), "620");
		});

		test("an undo record naming keys that are not settings restores nothing of them", () => {
			const store = new TestStore({ ...VALID, cfg: { undo: JSON.stringify([["web", "admin", "x"], ["sip", "sip_user", "619"]]) } });
			new Settings(store);
			assert.equal(store.get("web", "admin"), undefined);
			assert.equal(store.get("sip", "sip_user"), "619");
		});
	});

	test("values() shows a bad stored value as it is, with its problem, for correcting on the page", () => {
		const { values, problems } = new Settings(new TestStore({ sip: { sip_port: 0 } })).values();
		assert.equal(values.sip_port, 0);
		assert.match(problems.sip_port, /the stored value must be a whole number from 1 to 65535/);
	});
});
