import { test, group, assert } from "../lib/spec.js";
import { seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { bootApp } from "../lib/app-harness.js";
import { FakeClock } from "../lib/fake-clock.js";
import { ButtonHold } from "../../hardware/button-hold.js";
import { eventWords } from "../../home/event-words.js";
import { levelAt, TICK_MS } from "../../hardware/status-led.js";
import type { DigitalIn, HttpPostRequest, HttpRequest, HttpResponse, LevelOut } from "../../modules/ports.js";

const ADMIN = "Admin-Passwort-1";
const HOOK = "http://192.168.178.20:8123/api/webhook/door";

/** The board's BOOT button: active low, pulled up; the application sets its onChange. */
class FakeInput implements DigitalIn {
	onChange: ((value: number) => void) | undefined;
	level = 1;
	read() { return this.level; }
	close() {}
	set(level: number) {
		this.level = level;
		this.onChange?.(level);
	}
}

/** The application with a BOOT button, a webhook and a signed-in session. */
function application(settings: Record<string, Record<string, string | number>> = {}, led?: LevelOut) {
	const boot = new FakeInput();
	const posts: HttpPostRequest[] = [];
	const a = bootApp({
		settings: { hook: { url1: HOOK }, door: { code: "4711" }, bell: { bell2_target: "**612", bell2_name: "Gartentor" }, ...settings },
		env: {
			sha256: (t) => md5(t) + md5(`\u0001${t}`), random: seededRandom(5), bootButton: boot, led,
			httpPost: (request) => {
				posts.push(request);
				request.done(undefined, 200);
				return () => {};
			},
		},
		boot: { adminPassword: ADMIN, hashIterations: 8 },
	});
	const http = (method: string, path: string, headers: Record<string, string>, body = ""): HttpResponse => {
		const request: HttpRequest = { method, path, query: {}, headers: { host: "127.0.0.1:8080", ...headers }, body };
		return a.routes.get(`${method} ${path}`)!(request) as HttpResponse;
	};
	const signIn = () => http("POST", "/login", { "content-type": "application/json" }, JSON.stringify({ password: ADMIN }));
	const login = signIn();
	const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
	const csrf = JSON.parse(String(login.body)).csrf as string;
	/** Holds the BOOT button down for `ms`, then lets it go. */
	const hold = (ms: number) => {
		boot.set(0);
		a.clock.advance(ms);
		boot.set(1);
	};
	const hookTypes = () => {
		a.clock.advance(0);
		return posts.map((p) => JSON.parse(p.body).type as string);
	};
	return { ...a, boot, posts, http, signIn, cookie, csrf, hold, hookTypes };
}

/** Everything stored but the `web` namespace, as JSON. */
function otherSettings(data: Record<string, Record<string, string | number>>): string {
	const copy = { ...data };
	delete copy.web;
	return JSON.stringify(copy);
}

group("BOOT button: the admin password reset at the board", () => {
	test("held 9.9 s: nothing happens; the password, the session and the settings stay", () => {
		const a = application();
		const before = JSON.stringify(a.store.data);
		a.hold(9900);
		a.clock.advance(60_000);
		assert.equal(JSON.stringify(a.store.data), before);
		assert.equal(a.http("GET", "/sipDebug", { cookie: a.cookie }).status, 200, "still signed in");
		assert.equal(a.hookTypes().includes("admin_password_reset"), false);
		assert.equal(a.lines.some((l) => /admin password/.test(l) && /BOOT/.test(l)), false, a.lines.join("\n"));
	});

	test("held 10 s: the admin password is gone, every session ended, the first-run page served, the home told; the other settings stay", () => {
		const a = application();
		const others = otherSettings(a.store.data);
		assert.equal(a.http("GET", "/sipDebug", { cookie: a.cookie }).status, 200);
		a.boot.set(0);
		a.clock.advance(10_000);
		// Done while the button is still down: the user learns it without letting go.
		assert.equal(a.store.get("web", "admin"), undefined, "the admin record is removed");
		assert.notEqual(a.http("GET", "/sipDebug", { cookie: a.cookie }).status, 200, "the old session is over");
		a.clock.advance(30_000);
		a.boot.set(1);
		const page = a.http("GET", "/sip", { cookie: a.cookie });
		assert.equal(page.status, 200);
		assert.match(String(page.body), /action="\/setup"/, "the first-run page, for the old cookie too");
		assert.equal(a.http("GET", "/sipDebug", { cookie: a.cookie }).status, 403, "nothing but the first-run page until a password is set");
		assert.equal(otherSettings(a.store.data), others, "the other settings are unchanged");
		assert.match(a.lines.join("\n"), /admin password removed at the board \(BOOT button held 10 s\); all sessions ended/);
		const events = a.application.home.history().filter((e) => e.type === "admin_password_reset");
		assert.equal(events.length, 1, "one event however long the button was held");
		assert.equal(eventWords(events[0]), "Admin password reset at the board (BOOT button held 10 s)");
		assert.equal(a.hookTypes().filter((t) => t === "admin_password_reset").length, 1, "the webhook tells the household");
		// A new password is set on the first-run page and signs in; the door opens with the old code still.
		const setup = a.http("POST", "/setup", { "content-type": "application/json" }, JSON.stringify({ token: a.application.web.setupToken, password: "Ein-neues-Passwort", repeat: "Ein-neues-Passwort" }));
		assert.equal(setup.status, 200, String(setup.body));
		assert.equal(a.http("GET", "/sipDebug", { cookie: a.cookie }).status, 401, "the session from before the reset does not come back with the new password");
		assert.match(String(a.http("GET", "/sip", { cookie: a.cookie }).body), /action="\/login"/, "the old cookie gets the sign-in page");
		assert.equal(a.store.get("door", "code"), "4711");
	});

	test("held once for a minute resets once; a second hold resets again (each hold is one reset)", () => {
		const a = application();
		a.hold(60_000);
		assert.equal(a.application.home.history().filter((e) => e.type === "admin_password_reset").length, 1);
		a.http("POST", "/setup", { "content-type": "application/json" }, JSON.stringify({ token: a.application.web.setupToken, password: "Ein-neues-Passwort", repeat: "Ein-neues-Passwort" }));
		assert.notEqual(a.store.get("web", "admin"), undefined);
		a.hold(10_000);
		assert.equal(a.store.get("web", "admin"), undefined);
		assert.equal(a.application.home.history().filter((e) => e.type === "admin_password_reset").length, 2);
	});

	test("bounce while held restarts nothing and adds no second reset; a release before 10 s starts the time over", () => {
		const a = application();
		a.boot.set(0);
		a.clock.advance(4000);
		a.boot.set(0);
		a.clock.advance(4000);
		a.boot.set(1);
		a.boot.set(0);
		a.clock.advance(9000);
		assert.notEqual(a.store.get("web", "admin"), undefined, "released at 8 s: the next press has its own 10 s");
		a.clock.advance(1000);
		assert.equal(a.store.get("web", "admin"), undefined);
		a.boot.set(0);
		a.clock.advance(20_000);
		assert.equal(a.application.home.history().filter((e) => e.type === "admin_password_reset").length, 1);
	});

	test("the status LED blinks fast from the reset until the button is let go: the sign to let go", () => {
		const levels: number[] = [];
		const a = application({}, { write: (level) => void levels.push(level), close() {} });
		const pattern = () => a.application.status().status_led as { pattern: string };
		a.boot.set(0);
		a.clock.advance(9900);
		assert.notEqual(pattern().pattern, "admin_reset", "nothing shows before the reset");
		a.clock.advance(100);
		a.clock.advance(TICK_MS);
		assert.equal(pattern().pattern, "admin_reset");
		const before = levels.length;
		a.clock.advance(4 * TICK_MS);
		assert.deepEqual(levels.slice(before), [0, 1, 0, 1], "100 ms on, 100 ms off");
		a.boot.set(1);
		a.clock.advance(TICK_MS);
		assert.notEqual(pattern().pattern, "admin_reset");
		assert.equal(levelAt("admin_reset", 0), 1);
		assert.equal(levelAt("admin_reset", 1), 0);
	});

	test("a damaged admin record is cleared the same way: the page is set free again", () => {
		const damaged = "s256i$4096$00$zz";
		const a = application({ web: { admin: damaged } });
		assert.match(String(a.http("GET", "/sip", {}).body), /The stored admin password is damaged: no password signs in\. Hold the BOOT button on the board \(inside the housing\) for 10 s/);
		a.hold(10_000);
		assert.equal(a.store.get("web", "admin"), undefined);
		assert.match(String(a.http("GET", "/sip", {}).body), /action="\/setup"/);
		assert.equal(a.application.home.history().filter((e) => e.type === "admin_password_reset").length, 1);
	});

	test("after the door stops (it waits for the un-REGISTER's answer, up to 32 s) a hold does nothing: the password and the history stay", () => {
		const a = application();
		a.application.stop();
		a.hold(10_000);
		a.clock.advance(30_000);
		assert.notEqual(a.store.get("web", "admin"), undefined, "the admin record stays");
		assert.equal(a.application.home.history().some((e) => e.type === "admin_password_reset"), false);
		assert.equal(a.lines.some((l) => /admin password removed/.test(l)), false, a.lines.join("\n"));
		const closed = new ButtonHold({ clock: a.clock, onHeld: () => assert.ok(false, "held after close") });
		closed.close();
		closed.change(0);
		a.clock.advance(20_000);
		assert.equal(closed.reached, false);
	});

	test("a button already down when the door starts counts only after it was let go", () => {
		const clock = new FakeClock();
		let held = 0;
		const hold = new ButtonHold({ clock, level: 0, onHeld: () => held++ });
		hold.change(0);
		clock.advance(30_000);
		assert.equal(held, 0);
		hold.change(1);
		hold.change(0);
		clock.advance(9_999);
		assert.equal(held, 0);
		clock.advance(1);
		assert.equal(held, 1);
		hold.close();
	});
});
