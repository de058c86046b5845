import { test, group, assert } from "../lib/spec.js";
import { seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { bootApp } from "../lib/app-harness.js";
import { SettingsError } from "../../config/read.js";
import type { BootOptions } from "../../app/boot.js";
import type { HttpRequest, HttpResponse } from "../../modules/ports.js";

const ADMIN = "Admin-Passwort-1";
/** A display name the earlier C++ firmware took: longer than the 64 characters taken now. */
const LONG_NAME = `Haustür ${"Familie Mustermann-Schmidt ".repeat(3)}`.trim();

/** The application booted on the given store, as the device boots it, and a signed-in browser. */
function application(settings: Record<string, Record<string, string | number>>, boot: BootOptions = { adminPassword: ADMIN, hashIterations: 8 }) {
	const a = bootApp({ settings, env: { sha256: (t) => md5(t) + md5(`\u0001${t}`), random: seededRandom(5) }, boot });
	const http = (method: string, path: string, headers: Record<string, string>, body = ""): HttpResponse => {
		const request: HttpRequest = { method, path, query: {}, headers: { host: "127.0.0.1:8080", ...headers }, body };
		return a.routes.get(`${method} ${path}`)!(request) as HttpResponse;
	};
	const signIn = (password = ADMIN) => http("POST", "/login", { "content-type": "application/json" }, JSON.stringify({ password }));
	const session = () => {
		const login = signIn();
		return { cookie: String(login.headers?.["Set-Cookie"]).split(";")[0], csrf: JSON.parse(String(login.body)).csrf as string };
	};
	const page = (cookie: string) => String(http("GET", "/sip", { cookie }).body);
	const save = (s: { cookie: string; csrf: string }, fields: Record<string, unknown>) => http("POST", "/saveSIP", { "content-type": "application/json", cookie: s.cookie, "x-csrf-token": s.csrf }, JSON.stringify(fields));
	const status = () => JSON.parse(JSON.stringify(a.application.status())) as Record<string, unknown>;
	return { ...a, http, signIn, session, page, save, status };
}

group("bad stored settings", () => {
	test("a display name the earlier firmware took and today's check refuses: the door starts, registers and rings under the default name; the page shows the stored value at its field and the problem in the status; a corrected save clears it", () => {
		assert.ok(LONG_NAME.length > 64);
		const a = application({ sip: { sip_displayname: LONG_NAME } });
		const ua = a.application.doorbell.ua;
		assert.equal(ua.registration.registered, true, "registered");
		assert.equal(ua.config.displayName, "Doorbell");
		assert.match(a.lines.join("\n"), /setting sip\.sip_displayname: must be at most 64 characters \(stored: "Haustür Familie[^"]*"\): the default is used until it is saved again/);
		a.application.doorbell.press("button", 1);
		const invite = a.sent().find((m) => m.method === "INVITE");
		assert.ok(invite, "the bell rings");
		assert.match(invite.header("from")!, /^"Doorbell" <sip:620@/);
		assert.equal(a.store.data.sip.sip_displayname, LONG_NAME, "the stored value is kept");

		const s = a.session();
		const page = a.page(s.cookie);
		assert.ok(page.includes(`name="sip_displayname" type="text" value="${LONG_NAME}"`), "the field shows the stored value");
		assert.match(page, /id="f_sip_displayname_e">the stored value must be at most 64 characters</);
		assert.match(page, /Stored setting sip\.sip_displayname is not valid \(must be at most 64 characters\): the default is used until it is saved again/);
		assert.equal(page.includes("Nothing was saved"), false, "no save failed");
		const debug = JSON.parse(String(a.http("GET", "/sipDebug", { cookie: s.cookie }).body));
		assert.equal(debug.settings_problems.length, 1);
		assert.match(debug.settings_problems[0], /^Stored setting sip\.sip_displayname is not valid/);

		// The page sent back as it is: the stored value must be put right before anything is saved.
		const refused = a.save(s, { sip_displayname: LONG_NAME, sip_target: "**611" });
		assert.equal(refused.status, 400);
		assert.equal(JSON.parse(String(refused.body)).errors.sip_displayname, "Display name must be at most 64 characters");
		assert.equal(a.store.data.sip.sip_target, undefined, "nothing saved");
		assert.equal(a.save(s, { sip_displayname: "Haustür" }).status, 200);
		assert.equal(ua.config.displayName, "Haustür");
		const after = a.page(s.cookie);
		assert.equal(after.includes("f_sip_displayname_e"), false);
		assert.equal(after.includes("Stored setting"), false);
		assert.deepEqual(a.status().settings_problems, []);
	});

	test("a stored name with a character now refused, and bad keys in other namespaces: each at its default, the rest as stored", () => {
		const a = application({ sip: { sip_displayname: "Haus\ttür", sip_target: "**611" }, mqtt: { port: 0 }, door: { pulse_ms: 5 }, net: { hostname: "kling el" } });
		const ua = a.application.doorbell.ua;
		assert.equal(ua.registration.registered, true);
		assert.equal(ua.config.displayName, "Doorbell");
		assert.equal(ua.config.target, "**611", "a valid key is used as stored");
		assert.equal(a.application.door.settings.pulseMs, 800);
		const problems = a.status().settings_problems as string[];
		assert.deepEqual(problems.map((p) => /^Stored setting (\S+)/.exec(p)?.[1]), ["sip.sip_displayname", "door.pulse_ms", "net.hostname", "mqtt.port"]);
		assert.match(problems[2], /the default is used until it is saved again and the door restarts/);
		for (const key of ["sip.sip_displayname", "door.pulse_ms", "net.hostname", "mqtt.port"]) assert.match(a.lines.join("\n"), new RegExp(`error setting ${key.replace(".", "\\.")}: `));
	});

	test("a bad stored door code: no code opens the door, neither the default 123 nor the stored one; the status says why; a valid code saved opens again", () => {
		const stored = "12345678901234567";
		const a = application({ door: { code: stored } });
		assert.equal(a.application.doorbell.ua.registration.registered, true);
		const { request } = a.call();
		let seq = 100;
		const info = (digits: string) => {
			for (const d of digits) {
				request("INFO", ++seq, `z9hG4bKinfo${seq}`, ["Content-Type: application/dtmf"], d);
				a.clock.advance(150);
			}
		};
		info("123");
		a.clock.advance(3000);
		info(stored);
		a.clock.advance(3000);
		assert.deepEqual(a.pulses(), []);
		assert.deepEqual(a.relayWrites.map((w) => w[1]), [0], "the relay only forced off at boot");
		const status = a.status();
		assert.equal(status.door_enabled, false);
		assert.equal(status.door_warning, null, "no warning about the default code: it is not in force");
		assert.deepEqual(status.settings_problems, ["Stored setting door.code is not valid (must be 1 to 16 keys: digits, * and #): no code opens the door until a valid code is saved"]);
		assert.equal((JSON.stringify(status) + a.lines.join("\n")).includes(stored), false, "the stored code is never repeated");
		assert.match(a.lines.join("\n"), /setting door\.code: must be 1 to 16 keys: digits, \* and # \(stored: hidden\): no code opens the door until a valid code is saved/);
		assert.equal(a.store.data.door.code, stored, "the stored value is kept");

		const s = a.session();
		assert.match(a.page(s.cookie), /Stored setting door\.code is not valid \(must be 1 to 16 keys: digits, \* and #\): no code opens the door until a valid code is saved/);
		assert.equal(a.save(s, { code: "2580" }).status, 200);
		info("2580");
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), [800]);
		assert.deepEqual(a.status().settings_problems, []);
	});

	test("a bad stored SIP password: the problem at the password field and in the status, the password itself nowhere", () => {
		const secret = `geheim${"x".repeat(200)}`;
		const a = application({ sip: { sip_password: secret } });
		const s = a.session();
		const page = a.page(s.cookie);
		assert.match(page, /id="f_sip_password_e">the stored value /);
		assert.match(page, /Stored setting sip\.sip_password is not valid/);
		assert.equal((page + a.lines.join("\n") + JSON.stringify(a.status())).includes("geheim"), false);
	});

	test("a damaged admin password record: the page asks for a sign-in no password passes, never the first-run page that anyone could take", () => {
		const damaged = "s256i$4096$00$zz";
		const a = application({ web: { admin: damaged } }, { hashIterations: 8 });
		const page = a.http("GET", "/sip", {});
		assert.equal(String(page.body).includes(`action="/setup"`), false, "no first-run form");
		assert.match(String(page.body), /The stored admin password is damaged: no password signs in/);
		assert.equal(/BOOT/.test(String(page.body)), false, "no BOOT button to hold: this door has none");
		assert.equal(/BOOT/.test(a.lines.join("\n")), false, "nor in the log");
		const setup = a.http("POST", "/setup", { "content-type": "application/json" }, JSON.stringify({ password: "Ein-neues-Passwort", repeat: "Ein-neues-Passwort" }));
		assert.equal(setup.status, 403);
		assert.equal(a.signIn("Ein-neues-Passwort").status, 401);
		assert.equal(a.http("GET", "/sipDebug", {}).status, 401);
		assert.equal(a.store.data.web.admin, damaged, "the record is kept");
		assert.match(a.lines.join("\n"), /the stored admin password .*is damaged/);
		assert.equal(a.application.doorbell.ua.registration.registered, true, "the door still works");
	});

	test("with stopOnBadSetting (the simulator's developer file) a bad stored value stops the start-up, naming the key", () => {
		try {
			application({ sip: { sip_displayname: LONG_NAME } }, { adminPassword: ADMIN, hashIterations: 8, stopOnBadSetting: true });
		} catch (error) {
			assert.ok(error instanceof SettingsError, String(error));
			assert.equal(error.key, "sip.sip_displayname");
			return;
		}
		assert.ok(false, "expected a SettingsError");
	});

	test("a bad stored webhook URL is named in the log without its user, password or query (a token); a bad MQTT password with nothing of it; so is the message that stops the simulator", () => {
		const hook1 = "https://klingel:Hook-Geheim-7@192.168.178.20:8123/api/webhook/door?token=Token-Geheim-8";
		// A space in the password: no URL pattern finds where the password ends.
		const hook2 = "http://klingel:Hook Geheim/9@192.168.178.20/tor";
		const mqtt = `Mqtt-Geheim-5${"x".repeat(64)}`;
		const secrets = ["Hook-Geheim-7", "Token-Geheim-8", "Hook Geheim", "Geheim/9", "Mqtt-Geheim-5"];
		const settings = { hook: { url1: hook1, url2: hook2 }, mqtt: { host: "192.168.178.20", user: "klingel", password: mqtt } };
		const a = application(settings);
		const log = a.lines.join("\n");
		assert.match(log, /setting hook\.url1: must start with http:\/\/ \(the doorbell cannot make https connections\) \(stored: "https:\/\/192\.168\.178\.20:8123\/api\/webhook\/door\?\*\*\*"\): the default is used/);
		assert.match(log, /setting hook\.url2: must be an http:\/\/ URL such as [^ ]+ \(stored: "http:\/\/192\.168\.178\.20\/tor"\): the default is used/);
		assert.match(log, /setting mqtt\.password: must be at most 64 characters \(stored: hidden\)/);
		for (const secret of secrets) assert.equal(log.includes(secret), false, `the log shows ${secret}`);
		const status = JSON.stringify(a.status());
		for (const secret of secrets) assert.equal(status.includes(secret), false, `the status shows ${secret}`);
		for (const key of ["url1", "url2", "password"] as const) {
			const one: Record<string, Record<string, string>> = key === "password" ? { mqtt: settings.mqtt } : { hook: { [key]: settings.hook[key] } };
			let message = "";
			try {
				application(one, { adminPassword: ADMIN, hashIterations: 8, stopOnBadSetting: true });
			} catch (error) {
				assert.ok(error instanceof SettingsError, String(error));
				message = error.message;
			}
			assert.match(message, key === "password" ? /^setting mqtt\.password: / : new RegExp(`^setting hook\\.${key}: .*\\(stored: "http`));
			for (const secret of secrets) assert.equal(message.includes(secret), false, `the message for ${key} shows ${secret}`);
		}
	});

	test("a bad stored webhook URL shows at its field with its password as *** (where a space, a \"/\" or an \"@\" in the password leaves no end a pattern finds too), with its problem; sent back so, it needs the password typed or the field emptied", () => {
		const hook1 = "http://klingel:Hook Geheim/9@192.168.178.20/tor";
		const hook2 = "http://klingel:pa@ss-Geheim-3@192.168.178.20:8123/tor?x=1";
		const secrets = ["Hook Geheim", "Hook%20Geheim", "Geheim/9", "ss-Geheim-3"];
		const a = application({ hook: { url1: hook1, url2: hook2 } });
		const s = a.session();
		const page = a.page(s.cookie);
		/** The value the page's field for `key` shows. */
		const shown = (html: string, key: string) => new RegExp(`<input id="f_${key}" name="${key}" type="text" value="([^"]*)"`).exec(html)?.[1];
		assert.equal(shown(page, "url1"), "http://klingel:***@192.168.178.20/tor");
		assert.equal(shown(page, "url2"), "http://klingel:***@192.168.178.20:8123/tor?x=1");
		assert.match(page, /id="f_url1_e">the stored value must be an http:\/\/ URL/);
		for (const secret of secrets) assert.equal(page.includes(secret), false, `the page shows ${secret}`);

		// The page sent back as it is: the stored password is not put back into a URL that fails its check.
		const before = JSON.stringify(a.store.data);
		const refused = a.save(s, { url1: "http://klingel:***@192.168.178.20/tor", url2: "http://klingel:***@192.168.178.20:8123/tor?x=1", sip_target: "**611" });
		assert.equal(refused.status, 400);
		const errors = JSON.parse(String(refused.body)).errors as Record<string, string>;
		assert.match(errors.url1, /^Webhook 1 shows \*\*\* for a password, but the stored URL is not valid: type the password/);
		assert.match(errors.url2, /^Webhook 2 shows \*\*\* for a password, but the stored URL is not valid: type the password/);
		for (const secret of secrets) assert.equal(String(refused.body).includes(secret), false, `the answer shows ${secret}`);
		assert.equal(JSON.stringify(a.store.data), before, "nothing saved");
		// Typed again (encoded), or emptied: saved.
		assert.equal(a.save(s, { url1: "http://klingel:Hook%20Geheim%2F9@192.168.178.20/tor", url2: "" }).status, 200);
		assert.equal(a.store.data.hook.url1, "http://klingel:Hook%20Geheim%2F9@192.168.178.20/tor");
		assert.equal(a.store.data.hook.url2, "");
		assert.deepEqual(a.status().settings_problems, []);
		// A valid URL with an "@" in its query keeps it there: its password ends at the first "@".
		assert.equal(a.save(s, { url1: "http://ha:pw@192.168.178.20/tor?mail=a@b" }).status, 200);
		assert.equal(shown(a.page(s.cookie), "url1"), "http://ha:***@192.168.178.20/tor?mail=a@b");
	});
});
