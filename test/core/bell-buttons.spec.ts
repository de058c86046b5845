import { test, group, assert } from "../lib/spec.js";
import { seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { bootApp } from "../lib/app-harness.js";
import { MemoryStore } from "../lib/app-harness.js";
import { bellsFrom } from "../../config/bells.js";
import { keySpec } from "../../config/keys.js";
import type { SipMessage } from "../../sip/message.js";
import type { DigitalIn, HttpRequest, HttpResponse } from "../../modules/ports.js";
import type { DoorbellEnvironment } from "../../modules/environment.js";
import { DEFAULT_BOARD_PINS, type BoardPins } from "../../modules/esp32s3-pins.js";

const ADMIN = "Admin-Passwort-1";

/** A bell input the test presses; the application sets its onChange. */
class FakeInput implements DigitalIn {
	onChange: ((value: number) => void) | undefined;
	read() { return 1; }
	close() {}
	press() {
		this.onChange?.(0);
		this.onChange?.(1);
	}
}

/**
 * The settings form's fields as a browser with JavaScript off sends them back, URL-encoded: every
 * input with its value (checkboxes when checked, the password fields empty), the selects' choices;
 * `typed` replaces what the page shows.
 */
function formFields(page: string, typed: Record<string, string> = {}): string[] {
	const form = page.slice(page.indexOf('action="/saveSIP"'), page.indexOf("</form>", page.indexOf('action="/saveSIP"')));
	const parts: string[] = [];
	const input = /<input([^>]*)>/g;
	for (let m = input.exec(form); m; m = input.exec(form)) {
		const name = /name="([^"]*)"/.exec(m[1])?.[1];
		if (!name) continue;
		const type = /type="([^"]*)"/.exec(m[1])?.[1] ?? "text";
		if (type === "checkbox" && !/ checked/.test(m[1])) continue;
		const value = name in typed ? typed[name] : (/value="([^"]*)"/.exec(m[1])?.[1] ?? "").replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
		parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
	}
	const select = /<select[^>]*name="([^"]*)"[^>]*>[\s\S]*?<option value="([^"]*)" selected/g;
	for (let m = select.exec(form); m; m = select.exec(form)) parts.push(`${m[1]}=${m[2]}`);
	return parts;
}

function application(bell: Record<string, string | number> = {}, env: Partial<DoorbellEnvironment> = {}) {
	const inputs = new Map<number, { input: FakeInput; pin: number }>();
	const a = bootApp({
		settings: { bell: { bell2_target: "**612", bell2_name: "Gartentor", bell2_pin: 5, ...bell } },
		env: {
			sha256: (t) => md5(t) + md5(`\u0001${t}`), random: seededRandom(5),
			openButton: (n, pin) => {
				const input = new FakeInput();
				inputs.set(n, { input, pin });
				return input;
			},
			...env,
		},
		boot: { adminPassword: ADMIN, hashIterations: 8 },
	});
	const http = (method: string, path: string, headers: Record<string, string>, body = "", query: Record<string, string> = {}): HttpResponse => {
		const request: HttpRequest = { method, path, query, headers: { host: "127.0.0.1:8080", ...headers }, body };
		return a.routes.get(`${method} ${path}`)!(request) as HttpResponse;
	};
	const login = http("POST", "/login", { "content-type": "application/json" }, JSON.stringify({ password: ADMIN }));
	const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
	const csrf = JSON.parse(String(login.body)).csrf as string;
	const ring = (button?: string) => http("POST", "/ring/sip", { cookie, "x-csrf-token": csrf, accept: "application/json" }, "", button === undefined ? {} : { button });
	const save = (fields: Record<string, unknown>) => http("POST", "/saveSIP", { "content-type": "application/json", cookie, "x-csrf-token": csrf }, JSON.stringify(fields));
	const status = () => JSON.parse(String(http("GET", "/sipDebug", { cookie }).body));
	const page = () => String(http("GET", "/sip", { cookie }).body);
	const postForm = (parts: string[]) => http("POST", "/saveSIP", { "content-type": "application/x-www-form-urlencoded", cookie }, parts.join("&"));
	const invites = () => a.sent().filter((m: SipMessage) => m.method === "INVITE");
	return { ...a, inputs, http, ring, save, status, page, postForm, invites, cookie, csrf };
}

group("bell buttons", () => {
	test("without bell settings only button 1 exists, ringing sip_target as sip_displayname (existing settings work as before)", () => {
		const store = new MemoryStore({ sip: { sip_target: "**611", sip_displayname: "Haustür" } });
		assert.deepEqual(bellsFrom(store), [{ button: 1, target: "**611", name: "Haustür", gong: true }]);
		const a = bootApp();
		a.application.doorbell.press("button", 1);
		const invite = a.sent().find((m) => m.method === "INVITE")!;
		assert.match(invite.uri, /^sip:\*\*610@/);
		assert.match(invite.header("from")!, /^"Doorbell" <sip:620@/);
	});

	test("each button rings its own number under its own caller name, on its own input", () => {
		const a = application();
		assert.equal(a.inputs.get(2)?.pin, 5);
		assert.equal(a.inputs.has(3), false, "unused buttons open no input");
		a.inputs.get(2)!.input.press();
		const invite = a.invites()[0];
		assert.match(invite.uri, /^sip:\*\*612@/);
		assert.match(invite.header("from")!, /^"Gartentor" <sip:620@/);
		assert.match(invite.header("to")!, /^<sip:\*\*612@/);
		const status = a.status();
		assert.equal(status.last_press.button, 2);
		assert.equal(status.last_press.name, "Gartentor");
		assert.equal(status.last_press.target, "**612");
		assert.equal(status.last_press.rang, true);
		assert.deepEqual(status.bells.map((b: { button: number; target: string }) => [b.button, b.target]), [[1, "**610"], [2, "**612"]]);
	});

	test("a press of another button while one rings is logged and ignored", () => {
		const a = application();
		a.application.doorbell.press("button", 1);
		assert.equal(a.invites().length, 1);
		a.clock.advance(1500);
		a.inputs.get(2)!.input.press();
		assert.equal(a.invites().filter((m) => /\*\*612/.test(m.uri)).length, 0, "no INVITE for button 2 (only the first ring's retransmissions)");
		assert.ok(a.lines.some((l) => /ring \(button\): not ringing: a call is already (calling|ringing) \[button 2 "Gartentor" → \*\*612\]/.test(l)), a.lines.join("\n"));
		const status = a.status();
		assert.equal(status.last_press.button, 2);
		assert.equal(status.last_press.rang, false);
		assert.match(status.current_call.peer, /\*\*610/, "the first ring goes on");
	});

	test("POST /ring/sip?button=N rings that button; an unknown or unused button is refused", () => {
		const a = application();
		const bad = a.ring("7");
		assert.equal(bad.status, 400);
		const unused = a.ring("3");
		assert.equal(unused.status, 409);
		assert.match(String(unused.body), /bell button 3 is not set up/);
		assert.equal(a.invites().length, 0);
		const ok = a.ring("2");
		assert.equal(ok.status, 200);
		assert.match(a.invites()[0].uri, /^sip:\*\*612@/);
	});

	test("after the door stops (it waits for the un-REGISTER's answer, up to 32 s) a press of any button rings nothing, nor does the page's test ring", () => {
		const a = application();
		a.sent();
		a.application.stop();
		a.clock.advance(1000);
		a.button.onChange?.(0);
		a.button.onChange?.(1);
		a.inputs.get(2)!.input.press();
		a.ring("2");
		assert.equal(a.invites().length, 0, "no handset rings for a door that is shutting down");
		assert.ok(a.lines.some((l) => /ring \(button\): not ringing: the doorbell is stopping/.test(l)), a.lines.join("\n"));
		assert.equal(a.application.home.history().some((e) => e.type === "ring" && !e.reason), false);
	});

	test("a saved number and name apply at once; a new button's GPIO waits for a restart", () => {
		const a = application();
		assert.equal(a.save({ bell2_target: "**613", bell2_name: "Hintertür", bell3_target: "**9" }).status, 200);
		a.ring("2");
		const invite = a.invites()[0];
		assert.match(invite.uri, /^sip:\*\*613@/);
		assert.match(invite.header("from")!, /^"Hintertür"/);
		assert.ok(a.lines.some((l) => /bell button 3 is used after a restart/.test(l)));
		assert.equal(a.save({ bell2_target: "" }).status, 200);
		assert.equal(a.ring("2").status, 409, "an emptied number takes the button out of use");
	});

	test("a bell button's new GPIO saved from the page: the notice says that the GPIO is used after a restart, not the local ports", () => {
		const a = application();
		const saved = a.http("POST", "/saveSIP", { "content-type": "application/x-www-form-urlencoded", cookie: a.cookie }, `csrf=${encodeURIComponent(a.csrf)}&bell2_pin=6`);
		assert.equal(saved.status, 303, String(saved.body));
		const location = String(saved.headers?.Location);
		const n = /[?&]n=([^&]*)/.exec(location)?.[1] ?? "";
		const page = String(a.http("GET", "/sip", { cookie: a.cookie }, "", { n }).body);
		const notice = /role="status">(Saved\.[^<]*)</.exec(page)?.[1] ?? "";
		assert.match(notice, /bell button&#39;s GPIO[^<]*after a restart/);
		assert.equal(/local ports are used/.test(notice), false, `nothing about the local ports alone: ${notice}`);
		assert.equal(a.inputs.get(2)?.pin, 5, "the button keeps its pin until the restart");
	});

	test("the settings page's whole form, sent back as it is (JavaScript off), saves (no field limit or check trips on it)", () => {
		const a = application();
		const parts = formFields(String(a.http("GET", "/sip", { cookie: a.cookie }).body));
		assert.ok(parts.length > 32, `the form has ${parts.length} fields (more than the 32 a form could once have)`);
		const response = a.postForm(parts);
		assert.equal(response.status, 303, String(response.body).slice(0, 300));
	});

	test("a bell button's GPIO must be one the ESP32-S3 can use and the board leaves free: the message names the pin and why", () => {
		const a = application();
		const refused: Array<[number, RegExp]> = [
			[22, /ESP32-S3 has no GPIO22 to GPIO25/], [25, /no GPIO22/], [26, /flash/], [32, /flash/], [33, /octal PSRAM/], [37, /octal PSRAM/], [19, /USB/], [20, /USB/],
			[1, /door relay/], [2, /status LED/], [3, /gong relay/], [4, /door button/], [7, /speaker/], [9, /speaker/], [41, /microphone/], [42, /microphone/],
			[10, /camera/], [11, /camera/], [18, /camera/], [38, /camera/], [40, /camera/], [47, /camera/], [48, /camera/],
			[45, /GPIO45 is a strapping pin \(its level at reset selects the flash voltage\): .*keep the board from starting/], [46, /GPIO46 is a strapping pin \(its level at reset selects the boot mode/],
			[0, /GPIO0 is the board's BOOT button, which resets the admin password when held, and a strapping pin: a bell held down while the power returns starts the chip's download mode/],
		];
		for (const [pin, why] of refused) {
			const response = a.save({ bell3_target: "**613", bell3_pin: pin });
			assert.equal(response.status, 400, `GPIO${pin}`);
			const error = String(JSON.parse(String(response.body)).errors.bell3_pin);
			assert.match(error, new RegExp(`^Button 3: GPIO cannot be ${pin}: `), error);
			assert.match(error, why, error);
		}
		assert.equal(a.store.get("bell", "bell3_pin"), undefined, "nothing was written");
		// The XIAO's D6 and D7 (GPIO43 and 44, UART0, free there: its console is the chip's USB) are
		// taken; GPIO5 too, but button 2 has it here.
		for (const pin of [6, 21, 43, 44]) assert.equal(a.save({ bell3_target: "**613", bell3_pin: pin }).status, 200, `GPIO${pin}`);
		for (const n of [2, 3, 4]) {
			const spec = keySpec(`bell${n}_pin`)!;
			assert.equal(spec.check(spec.fallback), spec.fallback, `button ${n}'s default`);
		}
		assert.equal(keySpec("bell4_pin")!.fallback, 43, "button 4's default is the XIAO's D6");
	});

	test("a bell button's pin stored before a firmware refused it is named at start-up and never opened; the rest of the door starts", () => {
		const stored = new MemoryStore({ bell: { bell2_target: "**612", bell2_pin: 30 } });
		const [, bell2] = bellsFrom(stored);
		assert.equal(bell2.pin, undefined);
		assert.match(String(bell2.pinProblem), /setting bell\.bell2_pin: cannot be 30: .*flash/);
		const a = application({ bell2_pin: 46, bell3_target: "**613", bell3_pin: 6, bell4_target: "**614", bell4_pin: 0 });
		assert.equal(a.inputs.has(2), false, "GPIO46 was never opened");
		assert.equal(a.inputs.has(4), false, "GPIO0, taken by an earlier firmware, was never opened");
		assert.equal(a.inputs.get(3)?.pin, 6, "button 3 has its input");
		assert.ok(a.lines.some((l) => /bell button 2: setting bell\.bell2_pin: cannot be 46: GPIO46 is a strapping pin.*; only the web page rings it/.test(l)), a.lines.join("\n"));
		assert.ok(a.lines.some((l) => /bell button 4: setting bell\.bell4_pin: cannot be 0: GPIO0 is the board's BOOT button.*; only the web page rings it/.test(l)), a.lines.join("\n"));
		assert.equal(a.ring("2").status, 200, "the web page still rings button 2");
		assert.match(a.invites()[0].uri, /^sip:\*\*612@/);
		const problems = (a.status().settings_problems as string[]).join("\n");
		assert.match(problems, /Stored setting bell\.bell2_pin is not valid \(cannot be 46: [^\n]*\): button 2 gets no input \(the web page still rings it\) until a free pin is saved/);
		assert.match(problems, /Stored setting bell\.bell4_pin is not valid \(cannot be 0: /);
		const page = String(a.http("GET", "/sip", { cookie: a.cookie }).body);
		assert.match(page, /id="f_bell2_pin" name="bell2_pin" type="text" value="46"/, "the page shows the stored pin, to be put right");
		assert.match(page, /id="f_bell4_pin" name="bell4_pin" type="text" value="0"/);
		assert.match(page, /id="f_bell4_pin_e">[^<]*GPIO0 is the board&#39;s BOOT button/, "and says why at the field");
	});

	test("an unused button's pin stored before a firmware refused it is never opened and blocks no save: the whole form sent back saves a new SIP password; the button taken into use asks for a free pin", () => {
		// Button 3 has no number: an earlier firmware took GPIO46 for it.
		const a = application({ bell3_pin: 46 });
		assert.equal(a.inputs.has(3), false);
		const page = a.page();
		assert.match(page, /id="f_bell3_pin" name="bell3_pin" type="text" value="46"/, "the page shows the pin as stored");
		const saved = a.postForm(formFields(page, { sip_password: "neues-geheim" }));
		assert.equal(saved.status, 303, String(saved.body).match(/class="err"[^<]*<|Nothing was saved/g)?.join(" "));
		assert.equal(a.store.get("sip", "sip_password"), "neues-geheim");
		assert.equal(a.store.get("bell", "bell3_pin"), 46, "the unused button's pin stays as it was");
		assert.deepEqual(a.status().settings_problems, [], "nothing says that button 3 gets no input: it has none to get");
		assert.equal(a.page().includes("f_bell3_pin_e"), false);
		// A new pin typed for it is checked as ever.
		assert.match(String(JSON.parse(String(a.save({ bell3_pin: 45 }).body)).errors.bell3_pin), /^Button 3: GPIO cannot be 45: GPIO45 is a strapping pin/);
		// Given a number, the button needs a pin it can have: the save says so at the pin, from the page or as JSON.
		const taken = a.save({ bell3_target: "**613" });
		assert.equal(taken.status, 400);
		assert.match(String(JSON.parse(String(taken.body)).errors.bell3_pin), /^Button 3: GPIO cannot be 46: GPIO46 is a strapping pin/);
		const form = a.postForm(formFields(a.page(), { bell3_target: "**613" }));
		assert.equal(form.status, 400);
		assert.match(String(form.body), /id="f_bell3_pin_e">Button 3: GPIO cannot be 46: GPIO46 is a strapping pin/);
		assert.equal(a.store.get("bell", "bell3_target"), undefined, "nothing was written");
		assert.equal(a.save({ bell3_target: "**613", bell3_pin: 6 }).status, 200);
	});

	test("the BOOT button where the build's config puts it (boot_button_pin 21) is no bell button's pin, stored or saved; GPIO0, free then, stays refused as a strapping pin", () => {
		const a = application({ bell3_target: "**613", bell3_pin: 21 }, { boardPins: { ...DEFAULT_BOARD_PINS, bootButtonPin: 21 } });
		assert.equal(a.inputs.has(3), false, "GPIO21, the BOOT button's, was never opened as a bell");
		assert.ok(a.lines.some((l) => /bell button 3: setting bell\.bell3_pin: cannot be 21: GPIO21 is the board's BOOT button \(config boot_button_pin\), which resets the admin password when held.*; only the web page rings it/.test(l)), a.lines.join("\n"));
		assert.match((a.status().settings_problems as string[]).join("\n"), /Stored setting bell\.bell3_pin is not valid \(cannot be 21: GPIO21 is the board's BOOT button/);
		const boot = a.save({ bell4_target: "**614", bell4_pin: 21 });
		assert.equal(boot.status, 400);
		assert.match(String(JSON.parse(String(boot.body)).errors.bell4_pin), /^Button 4: GPIO cannot be 21: GPIO21 is the board's BOOT button \(config boot_button_pin\), which resets the admin password when held: a button outside the house must never be able to/);
		const zero = String(JSON.parse(String(a.save({ bell4_target: "**614", bell4_pin: 0 }).body)).errors.bell4_pin);
		assert.match(zero, /^Button 4: GPIO cannot be 0: GPIO0 is a strapping pin: a bell held down while the power returns starts the chip's download mode, and the door stays dead until the next reset$/, zero);
		assert.equal(a.store.get("bell", "bell4_pin"), undefined, "nothing was written");
		assert.equal(a.save({ bell3_pin: 6 }).status, 200);
		assert.deepEqual(a.status().settings_problems, []);
		// A board without a BOOT button (boot_button_pin -1): GPIO0 is still a strapping pin.
		const none = application({}, { boardPins: { ...DEFAULT_BOARD_PINS, bootButtonPin: -1 } });
		assert.match(String(JSON.parse(String(none.save({ bell3_target: "**613", bell3_pin: 0 }).body)).errors.bell3_pin), /^Button 3: GPIO cannot be 0: GPIO0 is a strapping pin: /);
		// The BOOT button on a bell button's default pin: the button in use without a stored pin gets no input.
		const [, bell2] = bellsFrom(new MemoryStore({ bell: { bell2_target: "**612" } }), undefined, { ...DEFAULT_BOARD_PINS, bootButtonPin: 5 });
		assert.equal(bell2.pin, undefined);
		assert.match(String(bell2.pinProblem), /setting bell\.bell2_pin: cannot be 5: GPIO5 is the board's BOOT button/);
	});

	test("the board's parts where the build's config puts them (relay_pin, button_pin, led_pin, gong_pin 5): a bell button on that pin, stored or saved, is refused naming the part, and the part's default pin is free", () => {
		// The default wiring with one part moved to GPIO5 (button 2's pin here).
		const moved: Array<[keyof BoardPins, number, string]> = [
			["relayPin", 1, "the door relay \\(config relay_pin\\)"],
			["buttonPin", 4, "the door button \\(config button_pin\\)"],
			["ledPin", 2, "the status LED \\(config led_pin\\)"],
			["gongPin", 3, "the gong relay \\(config gong_pin\\)"],
		];
		for (const [key, free, part] of moved) {
			const a = application({}, { boardPins: { ...DEFAULT_BOARD_PINS, [key]: 5 } });
			assert.equal(a.inputs.has(2), false, `${key} 5: button 2's stored GPIO5 was never opened as a bell`);
			assert.ok(a.lines.some((l) => new RegExp(`bell button 2: setting bell\\.bell2_pin: cannot be 5: ${part} uses it; only the web page rings it`).test(l)), a.lines.join("\n"));
			assert.match((a.status().settings_problems as string[]).join("\n"), new RegExp(`Stored setting bell\\.bell2_pin is not valid \\(cannot be 5: ${part} uses it\\)`));
			assert.match(a.page(), new RegExp(`id="f_bell2_pin_e">[^<]*cannot be 5: ${part} uses it`), "the page says why at the field");
			assert.equal(a.ring("2").status, 200, "the web page still rings button 2");
			const saved = a.save({ bell3_target: "**613", bell3_pin: 5 });
			assert.equal(saved.status, 400, `${key} 5: a bell on GPIO5`);
			assert.match(String(JSON.parse(String(saved.body)).errors.bell3_pin), new RegExp(`^Button 3: GPIO cannot be 5: ${part} uses it$`));
			assert.equal(a.store.get("bell", "bell3_pin"), undefined, "nothing was written");
			assert.equal(a.save({ bell2_pin: free }).status, 200, `${key} 5: the part's default GPIO${free} is free for a bell`);
			assert.deepEqual(a.status().settings_problems, [], "button 2 on a free pin: nothing wrong");
			// Started again on that build, the bell has its input on the part's default pin.
			const restarted = application({ bell2_pin: free }, { boardPins: { ...DEFAULT_BOARD_PINS, [key]: 5 } });
			assert.equal(restarted.inputs.get(2)?.pin, free, `${key} 5: button 2 opened on GPIO${free}`);
			assert.deepEqual(restarted.status().settings_problems, []);
		}
		// A part moved to a bell button's default pin: the button in use without a stored pin gets no input.
		const bell3 = bellsFrom(new MemoryStore({ bell: { bell3_target: "**613" } }), undefined, { ...DEFAULT_BOARD_PINS, ledPin: 6 }).find((b) => b.button === 3)!;
		assert.equal(bell3.pin, undefined);
		assert.match(String(bell3.pinProblem), /setting bell\.bell3_pin: cannot be 6: the status LED \(config led_pin\) uses it/);
	});

	test("a part the build moves onto a pin refused for another reason (relay_pin 46, gong_pin 0 without a BOOT button, boot_button_pin 45): a bell button there, stored or saved, is refused naming the part and its key, and the pin's own reason", () => {
		const moved: Array<[Partial<BoardPins>, number, string]> = [
			[{ relayPin: 46 }, 46, "the door relay \\(config relay_pin\\) uses it; GPIO46 is a strapping pin \\(its level at reset selects the boot mode\\): a button circuit with a pull-up there can keep the board from starting"],
			[{ gongPin: 0, bootButtonPin: -1 }, 0, "the gong relay \\(config gong_pin\\) uses it; GPIO0 is a strapping pin: a bell held down while the power returns starts the chip's download mode, and the door stays dead until the next reset"],
			[{ bootButtonPin: 45 }, 45, "GPIO45 is the board's BOOT button \\(config boot_button_pin\\), which resets the admin password when held: a button outside the house must never be able to; GPIO45 is a strapping pin \\(its level at reset selects the flash voltage\\)"],
		];
		for (const [board, pin, why] of moved) {
			const a = application({ bell2_pin: pin }, { boardPins: { ...DEFAULT_BOARD_PINS, ...board } });
			assert.equal(a.inputs.has(2), false, `GPIO${pin} was never opened as a bell`);
			assert.ok(a.lines.some((l) => new RegExp(`bell button 2: setting bell\\.bell2_pin: cannot be ${pin}: ${why}.*; only the web page rings it`).test(l)), a.lines.join("\n"));
			assert.match((a.status().settings_problems as string[]).join("\n"), new RegExp(`Stored setting bell\\.bell2_pin is not valid \\(cannot be ${pin}: ${why}`));
			const saved = a.save({ bell3_target: "**613", bell3_pin: pin });
			assert.equal(saved.status, 400, `a bell on GPIO${pin}`);
			const error = String(JSON.parse(String(saved.body)).errors.bell3_pin);
			assert.match(error, new RegExp(`^Button 3: GPIO cannot be ${pin}: ${why}`), error);
			assert.equal(a.store.get("bell", "bell3_pin"), undefined, "nothing was written");
		}
	});

	test("two bell buttons in use on one GPIO are refused, the message naming both; nothing of the save is written", () => {
		const a = application({ bell3_target: "**613", bell3_pin: 6 });
		const before = JSON.stringify(a.store.data);
		const shared = a.save({ bell2_name: "Garten", bell3_pin: 5, pulse_ms: 900 });
		assert.equal(shared.status, 400);
		const errors = JSON.parse(String(shared.body)).errors;
		assert.deepEqual(Object.keys(errors), ["bell3_pin"]);
		assert.equal(errors.bell3_pin, "Button 3: GPIO cannot be 5: bell button 2 uses it (one GPIO serves one button)");
		assert.equal(JSON.stringify(a.store.data), before, "the other settings stay as they were");
		// A button taken into use on the pin of another: the message is at the pin given, which names the other button.
		const taken = a.save({ bell4_target: "**614", bell4_pin: 6 });
		assert.equal(JSON.parse(String(taken.body)).errors.bell4_pin, "Button 4: GPIO cannot be 6: bell button 3 uses it (one GPIO serves one button)");
		const moved = a.save({ bell2_pin: 6 });
		assert.equal(JSON.parse(String(moved.body)).errors.bell2_pin, "Button 2: GPIO cannot be 6: bell button 3 uses it (one GPIO serves one button)");
		assert.equal(JSON.stringify(a.store.data), before);
		// An unused button's pin is not opened, so it may be any other's.
		assert.equal(a.save({ bell4_pin: 5 }).status, 200);
		assert.equal(a.save({ bell3_target: "", bell3_pin: 5 }).status, 200);
		// The settings page (a form post, JavaScript off) shows the message at the field, the buttons' section open.
		const page = a.http("POST", "/saveSIP", { "content-type": "application/x-www-form-urlencoded", cookie: a.cookie }, `csrf=${encodeURIComponent(a.csrf)}&bell3_target=**613&bell3_pin=5&bell4_target=**614&bell4_pin=45`);
		assert.equal(page.status, 400);
		const html = String(page.body);
		assert.match(html, /<details open><summary>Buttons 2 to 4<\/summary>/);
		assert.match(html, /id="f_bell3_pin_e">Button 3: GPIO cannot be 5: bell button 2 uses it \(one GPIO serves one button\)</);
		assert.match(html, /id="f_bell4_pin_e">Button 4: GPIO cannot be 45: GPIO45 is a strapping pin/);
		assert.match(html, /Nothing was saved/);
	});

	test("two buttons in use on one GPIO, stored before shared pins were refused: the later one gets no input and is listed among the stored-setting problems, naming both buttons; the web page still rings it", () => {
		const a = application({ bell3_target: "**613", bell3_pin: 5, bell4_target: "**614", bell4_pin: 6 });
		assert.equal(a.inputs.get(2)?.pin, 5);
		assert.equal(a.inputs.has(3), false, "GPIO5 is opened once, for button 2");
		assert.equal(a.inputs.get(4)?.pin, 6);
		assert.ok(a.lines.some((l) => /bell button 3: setting bell\.bell3_pin: cannot be 5: bell button 2 uses it \(one GPIO serves one button\); only the web page rings it/.test(l)), a.lines.join("\n"));
		assert.deepEqual(a.status().settings_problems, ["Stored setting bell.bell3_pin is not valid (cannot be 5: bell button 2 uses it (one GPIO serves one button)): button 3 gets no input (the web page still rings it) until a free pin is saved and the door restarts"]);
		assert.match(a.page(), /id="f_bell3_pin_e">the stored value cannot be 5: bell button 2 uses it \(one GPIO serves one button\)</);
		assert.equal(a.ring("3").status, 200);
		assert.equal(a.save({ bell3_pin: 21 }).status, 200);
		assert.deepEqual(a.status().settings_problems, []);
	});

	test("two buttons in use on one GPIO, stored before shared pins were refused: a save that names neither pin and takes neither button into use saves, as with a refused pin stored for a button in use; one that names a pin is checked", () => {
		const a = application({ bell3_target: "**613", bell3_pin: 5 });
		const saved = a.save({ pulse_ms: 900, bell3_name: "Hof" });
		assert.equal(saved.status, 200, String(saved.body));
		assert.equal(a.store.get("door", "pulse_ms"), 900);
		assert.equal(a.store.get("bell", "bell3_pin"), 5, "the pins stay as stored");
		assert.match((a.status().settings_problems as string[]).join("\n"), /Stored setting bell\.bell3_pin is not valid \(cannot be 5: bell button 2 uses it/, "and the problem is still listed");
		const named = a.save({ bell3_pin: 5 });
		assert.equal(JSON.parse(String(named.body)).errors.bell3_pin, "Button 3: GPIO cannot be 5: bell button 2 uses it (one GPIO serves one button)");
		// The whole form from the page names both pins, as it names a refused pin: the message is at the later one.
		const page = a.postForm(formFields(a.page()));
		assert.equal(page.status, 400);
		assert.match(String(page.body), /id="f_bell3_pin_e">Button 3: GPIO cannot be 5: bell button 2 uses it/);
	});

	test("bad bell settings are refused by field; an empty caller name falls back to the display name", () => {
		const a = application();
		const response = a.save({ bell2_target: "**6 12", bell4_pin: 99 });
		assert.equal(response.status, 400);
		const errors = JSON.parse(String(response.body)).errors;
		assert.match(errors.bell2_target, /Button 2: number to ring must not contain a space/);
		assert.match(errors.bell4_pin, /Button 4: GPIO must be a whole number from 0 to 48/);
		const store = new MemoryStore({ sip: { sip_displayname: "Haustür" }, bell: { bell3_target: "**11" } });
		assert.deepEqual(bellsFrom(store)[1], { button: 3, target: "**11", name: "Haustür", pin: 6, gong: true });
	});
});
