/*
 * The set-up page in real headless Chromium (Debian's, driven by playwright-core) against the
 * simulator registered at kamailio with two baresip handsets (test/rig): first run, a save with
 * errors, a wrong and then the right password, the doorbell registering, a test ring that rings
 * both handsets, and no password in any page or response. The form part runs with JavaScript
 * off; the status refresh and the test ring with it on. A phone-size screenshot goes to
 * test-artifacts/.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { Rig, Simulator, sourcePath, type DumpedMessage } from "../rig/index.js";
import { AdminClient } from "./admin-client.js";

// No name but localhost resolves (nothing the browser might fetch by itself leaves the machine).
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"];
const ADMIN_PASSWORD = "Klingel-Admin-2026";
const WRONG_SIP_PASSWORD = "falsches-Passwort-9";
const PHONE = { width: 390, height: 844 };
/** A network of the simulator's stand-in radio and the password that joins it (modules/host/wifi.ts). */
const HOME_WIFI = "FRITZ!Box 7590 XY";
const HOME_WIFI_PASSWORD = "klingel-test-1";

let rig: Rig;
/** A second door, started without a network (--access-point): the Wi-Fi set-up. */
let fresh: Simulator | undefined;
let base = "";
let sipPassword = "";
const profiles: string[] = [];
/** Every response body the browser received, for the secrets check. */
const bodies: Promise<string>[] = [];
/** Script errors and console errors (a CSP violation shows there). */
const pageErrors: string[] = [];
/** Requests the pages made to anywhere but 127.0.0.1 (aborted, never sent). */
const offLoopback: string[] = [];

before(async () => {
	// The door starts without an account and without an admin password: everything is set up through the page.
	rig = await Rig.start({ name: "web-browser", simulator: { adminPassword: "", waitRegistered: false, sip: { sip_user: "", sip_password: "" }, args: ["--camera", "testcard"] } });
	base = rig.simulator!.baseUrl;
	sipPassword = rig.kamailio.users["620"];
	assert.ok(sipPassword, "the rig has a password for 620");
});

after(async () => {
	for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
	await fresh?.stop();
	await rig?.stop();
});

/** A fresh Chromium with its own new profile directory. */
/** The browser's time zone: the page shows event times in it (a German home's, an hour or two from UTC). */
const TIME_ZONE = "Europe/Berlin";

async function browser(javaScriptEnabled: boolean): Promise<{ context: BrowserContext; page: Page }> {
	const profile = mkdtempSync(join(tmpdir(), "klingel-chromium-"));
	profiles.push(profile);
	const context = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: PHONE, javaScriptEnabled, deviceScaleFactor: 1, timezoneId: TIME_ZONE });
	await context.route(
		// (Chromium's own pages, chrome://, are no request that leaves the machine.)
		(url) => url.protocol !== "chrome:" && url.hostname !== "127.0.0.1",
		(route) => {
			offLoopback.push(route.request().url());
			return route.abort("blockedbyclient");
		},
	);
	const page = context.pages()[0] ?? (await context.newPage());
	page.on("response", (response) => {
		bodies.push(response.text().catch(() => ""));
	});
	page.on("pageerror", (error) => pageErrors.push(error.message));
	page.on("console", (message) => {
		// The 400, 401, 403 and 405 answers the tests ask for, and the connection one test resets, show
		// as "Failed to load resource"; anything else counts.
		if (message.type() === "error" && !/^Failed to load resource: (the server responded with a status of 40[0135]|net::ERR_CONNECTION_RESET)/.test(message.text())) pageErrors.push(message.text());
	});
	return { context, page };
}

function settingsFile(): { sip?: Record<string, unknown>; web?: Record<string, unknown> } {
	return JSON.parse(readFileSync(rig.simulator!.settingsFile, "utf8"));
}

const fromDoor = (m: DumpedMessage) => m.direction === "rcv" && m.src.port === rig.simulator!.sipPort;

/** Reloads the page (JavaScript off: no refresh script) until the status line matches. */
async function waitForStatusText(page: Page, pattern: RegExp, timeoutMs = 20000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		await page.goto(`${base}/sip`);
		const text = (await page.locator("#status").textContent()) ?? "";
		if (pattern.test(text)) return text;
		if (Date.now() > deadline) throw new Error(`the page never showed ${pattern}; last: ${text}\n${rig.logs()}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

test("with JavaScript off: first run, a save with errors, a wrong password, then the doorbell registers", { timeout: 90000 }, async (t) => {
	const { context, page } = await browser(false);
	try {
		await t.test("first run: only the set-up page; the API refuses until the admin password is set", async () => {
			const first = await page.goto(`${base}/sip`);
			assert.equal(first?.status(), 200);
			await page.getByRole("heading", { name: "Doorbell set-up" }).waitFor();
			assert.equal(await page.locator("input[name=sip_user]").count(), 0);
			assert.equal((await fetch(`${base}/sipDebug`)).status, 403);
			assert.equal((await fetch(`${base}/ring/sip`, { method: "POST" })).status, 403);
			await page.getByLabel("Admin password").fill("kurz");
			await page.getByLabel("Repeat the password").fill("kurz");
			await page.getByRole("button", { name: "Set password" }).click();
			assert.match((await page.locator("#f_password_e").textContent()) ?? "", /at least 8 characters/);
			await page.getByLabel("Admin password").fill(ADMIN_PASSWORD);
			await page.getByLabel("Repeat the password").fill(ADMIN_PASSWORD);
			await page.getByRole("button", { name: "Set password" }).click();
			await page.waitForURL(/\/sip\?n=set$/);
			await page.getByText("Admin password set.").waitFor();
			const stored = String(settingsFile().web?.admin ?? "");
			assert.match(stored, /^s256i\$\d+\$[0-9a-f]{32}\$[0-9a-f]{64}$/, "a salted hash is stored");
			const cookies = await context.cookies();
			const session = cookies.find((c) => c.name === "klingel_sid");
			assert.ok(session && session.httpOnly && session.sameSite === "Strict", "an HttpOnly, SameSite=Strict session cookie");
		});

		await t.test("save with errors: each message by its field, HTTP 400, nothing saved", async () => {
			const before = JSON.stringify(settingsFile());
			await page.getByLabel("User name").fill("62 0");
			await page.getByLabel("Password", { exact: true }).fill(WRONG_SIP_PASSWORD);
			await page.getByLabel("Number to ring", { exact: true }).fill("**610\"");
			await page.getByLabel("Door code", { exact: true }).fill("12a");
			const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/saveSIP")), page.getByRole("button", { name: "Save" }).click()]);
			assert.equal(response.status(), 400);
			assert.match((await page.locator("#f_sip_user_e").textContent()) ?? "", /contain a space/);
			assert.match((await page.locator("#f_sip_target_e").textContent()) ?? "", /contain a quote/);
			assert.match((await page.locator("#f_code_e").textContent()) ?? "", /1 to 16 keys: digits, \* and #/);
			assert.equal(await page.getByLabel("User name").getAttribute("aria-invalid"), "true");
			assert.equal(await page.getByLabel("User name").inputValue(), "62 0", "what was typed is shown again");
			assert.equal(await page.getByLabel("Password", { exact: true }).inputValue(), "", "the password is not sent back");
			await page.getByText("Nothing was saved").waitFor();
			assert.equal(JSON.stringify(settingsFile()), before);
			mkdirSync(sourcePath("test-artifacts"), { recursive: true });
			await page.locator("#f_sip_user").scrollIntoViewIfNeeded();
			await page.screenshot({ path: join(sourcePath("test-artifacts"), "web-sip-errors-390x844.png") });
		});

		await t.test("a wrong SIP password: saved, and the page says so in plain words", async () => {
			await page.getByLabel("User name").fill("620");
			await page.getByLabel("Password", { exact: true }).fill(WRONG_SIP_PASSWORD);
			await page.getByLabel("Number to ring", { exact: true }).fill("**610");
			await page.getByLabel("Door code", { exact: true }).fill("4711");
			await page.getByRole("button", { name: "Save" }).click();
			await page.waitForURL(/\/sip\?n=saved$/);
			const text = await waitForStatusText(page, /Not registered/);
			assert.match(text, /wrong password \(or user name\): the PBX refused the login of 620/);
		});

		await t.test("the right SIP password: the doorbell registers with kamailio", async () => {
			const savedAt = Date.now() / 1000; // sipdump times are in seconds
			await page.getByLabel("Password", { exact: true }).fill(sipPassword);
			await page.getByLabel("Display name").fill("Haustür");
			await page.getByRole("button", { name: "Save" }).click();
			await page.waitForURL(/\/sip\?n=saved$/);
			await rig.kamailio.waitForMessage((m) => m.direction === "snd" && m.dst.port === rig.simulator!.sipPort && m.status === 200 && m.cseq.method === "REGISTER", { after: savedAt, timeoutMs: 15000, what: "200 OK to the door's REGISTER" }).catch((error) => {
				throw new Error(`${(error as Error).message}\n${rig.logs(60)}`);
			});
			const register = rig.kamailio.messages().find((m) => fromDoor(m) && m.method === "REGISTER" && m.time >= savedAt && m.header("authorization") !== undefined);
			// (The rig's sipdump reader shows UTF-8 as Latin-1, hence the loose match of "ü".)
			assert.match(register?.header("from") ?? "", /^"Haust.{1,2}r" <sip:620@/);
			const text = await waitForStatusText(page, /Registered with/);
			assert.match(text, /Registered with 127\.0\.0\.1 as 620\./);
			assert.equal(settingsFile().sip?.sip_password, sipPassword);
			assert.equal((settingsFile() as { door?: Record<string, unknown> }).door?.code, "4711");
		});
	} finally {
		await context.close();
	}
});

test("with JavaScript on: sign in, the phone layout, a test ring rings both handsets", { timeout: 90000 }, async (t) => {
	const { context, page } = await browser(true);
	try {
		await t.test("sign in", async () => {
			await page.goto(`${base}/sip`);
			await page.getByLabel("Admin password").fill("not-the-password");
			await page.getByRole("button", { name: "Sign in" }).click();
			await page.getByText("Wrong password.").waitFor();
			await page.getByLabel("Admin password").fill(ADMIN_PASSWORD);
			await page.getByRole("button", { name: "Sign in" }).click();
			await page.getByRole("button", { name: "Test ring" }).waitFor();
			await page.getByText("Registered with 127.0.0.1 as 620.").waitFor();
		});

		await t.test("each id once, and each label names the field of its own form", async () => {
			const twice = await page.evaluate(`[...document.querySelectorAll("[id]")].map((e) => e.id).filter((id, i, all) => all.indexOf(id) !== i)`);
			assert.deepEqual(twice, []);
			const labelled = (await page.evaluate(`[...document.querySelectorAll("label[for]")].map((l) => l.textContent + " > " + (l.control ? l.control.form?.getAttribute("action") + " " + l.control.name : "nothing"))`)) as string[];
			assert.ok(labelled.includes("MQTT password > /saveSIP password"), labelled.join("; "));
			assert.ok(labelled.includes("New admin password > /adminPassword password"), labelled.join("; "));
			const shared = await page.evaluate(`[...document.querySelectorAll("input:not([type=hidden]),select")].filter((e) => e.labels.length > 1).map((e) => e.name)`);
			assert.deepEqual(shared, [], "fields with two labels");
		});

		await t.test("event times are shown in the browser's time zone", async () => {
			const times = (await page.evaluate(`[...document.querySelectorAll("time[datetime]")].map((t) => [t.getAttribute("datetime"), t.textContent])`)) as [string, string][];
			assert.ok(times.length > 0, "the start-up event at least");
			const local = new Intl.DateTimeFormat("sv-SE", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
			for (const [iso, shown] of times) assert.equal(shown, local.format(new Date(iso)), `${iso} in ${TIME_ZONE}`);
		});

		await t.test("phone screenshot at 390×844: one column, nothing wider than the screen", async () => {
			const dir = sourcePath("test-artifacts");
			mkdirSync(dir, { recursive: true });
			await page.screenshot({ path: join(dir, "web-sip-390x844.png") });
			await page.screenshot({ path: join(dir, "web-sip-390x844-full.png"), fullPage: true });
			const width = (await page.evaluate("document.documentElement.scrollWidth")) as number;
			assert.ok(width <= PHONE.width, `the page is ${width} px wide`);
			const small = await page.evaluate(`[...document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]),button,select")].filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44).map((e) => e.outerHTML.slice(0, 60))`);
			assert.deepEqual(small, [], "every visible control is at least 44 px high");
			// A check box beside a long label is a flex item that shrank (to 13 px wide) before.
			const boxes = await page.evaluate(`[...document.querySelectorAll("input[type=checkbox]")].filter((e) => e.offsetParent !== null).map((e) => { const r = e.getBoundingClientRect(); return e.name + " " + Math.round(r.width) + "x" + Math.round(r.height); })`) as string[];
			assert.ok(boxes.length >= 4, `the visible check boxes: ${boxes.join(", ")}`);
			assert.deepEqual(boxes.filter((b) => !b.endsWith(" 28x28")), [], "every visible check box is 28 × 28 px, whatever the length of its label");
			console.log(`# screenshot: ${join(dir, "web-sip-390x844.png")}`);
		});

		await t.test("Test ring: both handsets ring, the page says so without reloading", async () => {
			const m611 = rig.handset("611").mark();
			const m612 = rig.handset("612").mark();
			const url = page.url();
			await page.getByRole("button", { name: "Test ring" }).click();
			await Promise.all([rig.handset("611").waitFor("incoming", { from: m611, timeoutMs: 10000 }), rig.handset("612").waitFor("incoming", { from: m612, timeoutMs: 10000 })]);
			await page.getByText("Ringing").first().waitFor();
			assert.equal(page.url(), url, "the script sent it; the page stayed");
			await page.locator("#status").getByText(/Call: (calling|ringing)/).waitFor({ timeout: 8000 });
			rig.simulator!.hangup();
			const admin = await AdminClient.signIn(base, ADMIN_PASSWORD);
			const deadline = Date.now() + 15000;
			while ((await admin.json("GET", "/sipDebug")).body.call !== "idle") {
				assert.ok(Date.now() < deadline, "the door went back to idle after hanging up");
				await new Promise((r) => setTimeout(r, 200));
			}
		});

		await t.test("the live image: the page shows the URL for the FRITZ!Box, and it opens as a 320×240 image", async () => {
			await page.goto(`${base}/sip`);
			const url = await page.getByLabel("Live-image URL for the FRITZ!Box").inputValue();
			assert.match(url, /\/camera\.jpg\?key=[0-9a-f]{32}$/);
			assert.equal(await page.getByRole("link", { name: "Open the live image" }).getAttribute("href"), url);
			// The first request starts the camera (503); the FRITZ!Box simply asks again, as this does.
			for (let i = 0; i < 30 && (await fetch(url)).status !== 200; i++) await new Promise((r) => setTimeout(r, 300));
			await new Promise((r) => setTimeout(r, 600));
			const response = await page.goto(url);
			assert.equal(response?.status(), 200);
			assert.equal(response?.headers()["content-type"], "image/jpeg");
			const size = await page.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]");
			assert.deepEqual(size, [320, 240]);
			await page.screenshot({ path: join(sourcePath("test-artifacts"), "web-live-image.png") });
			const refused = await page.request.get(url.replace(/key=[0-9a-f]/, "key=g"));
			assert.equal(refused.status(), 403);
			assert.equal((await refused.body()).length, 0);
		});

		await t.test("a GET of /ring/sip does not ring", async () => {
			const m611 = rig.handset("611").mark();
			const since = Date.now() / 1000;
			const response = await page.goto(`${base}/ring/sip`);
			assert.equal(response?.status(), 405);
			// A ring writes its INVITE before the web server answers (the button path, under 1 ms):
			// an idle door and no INVITE at the PBX once the 405 is here mean nothing rang.
			const admin = await AdminClient.signIn(base, ADMIN_PASSWORD);
			assert.equal((await admin.json("GET", "/sipDebug")).body.call, "idle");
			assert.equal(rig.kamailio.messages().some((m) => m.method === "INVITE" && m.time >= since), false, "no INVITE");
			assert.equal(rig.handset("611").saw("incoming", m611), false);
		});

		await t.test("Test ring after the sign-in is gone: the page says why nothing rang", async () => {
			await page.goto(`${base}/sip`);
			await context.clearCookies();
			const since = Date.now() / 1000;
			await page.getByRole("button", { name: "Test ring" }).click();
			const note = page.locator("#rang");
			await note.getByText(/^Not ringing: /).waitFor();
			assert.equal(await note.textContent(), "Not ringing: sign in first (the page /sip, or POST /login)");
			assert.equal(rig.kamailio.messages().some((m) => m.method === "INVITE" && m.time >= since), false, "no INVITE");
		});

		await t.test("Test ring without an answer from the door: the page says so", async () => {
			await page.route("**/ring/sip", (route) => route.abort("connectionreset"));
			try {
				await page.locator("#rang").evaluate((e) => { e.textContent = ""; e.hidden = true; });
				await page.getByRole("button", { name: "Test ring" }).click();
				await page.locator("#rang").getByText(/^Not ringing: /).waitFor();
				assert.equal(await page.locator("#rang").textContent(), "Not ringing: no answer from the door");
			} finally {
				await page.unroute("**/ring/sip");
			}
		});
	} finally {
		await context.close();
	}
});

test("Wi-Fi set-up with JavaScript off: the set-up page, a network from the scan list, its password, then the first run", { timeout: 60000 }, async () => {
	fresh = await Simulator.start({ dir: rig.dir.dir("access-point"), pbx: rig.pbx, password: "", adminPassword: "", waitRegistered: false, sip: { sip_user: "" }, args: ["--access-point"] });
	const wifiBase = fresh.baseUrl;
	const { context, page } = await browser(false);
	try {
		// A phone's captive-portal check (a foreign name, which the door's DNS answers on the device) lands on the set-up page.
		const probe = await fetch(`${wifiBase}/generate_204`, { headers: { Host: "connectivitycheck.gstatic.com" }, redirect: "manual" });
		assert.equal(probe.status, 303);
		assert.equal(probe.headers.get("location"), `${wifiBase}/wifi`);
		await page.goto(`${wifiBase}/`);
		await page.waitForURL(/\/wifi$/);
		await page.getByRole("heading", { name: "Wi-Fi" }).waitFor();
		// The list at a phone's width: each radio button a 28 px circle at the start of its row,
		// the network's name beside it (a radio was a flex item as wide as a text field before).
		const rows = await page.evaluate(`[...document.querySelectorAll("input[type=radio]")].map((e) => { const r = e.getBoundingClientRect(), t = e.nextElementSibling?.getBoundingClientRect(); return { w: Math.round(r.width), h: Math.round(r.height), left: Math.round(r.left - e.closest("fieldset").getBoundingClientRect().left), textLeft: t ? Math.round(t.left - r.right) : -1 }; })`) as { w: number; h: number; left: number; textLeft: number }[];
		assert.ok(rows.length >= 2, JSON.stringify(rows));
		assert.deepEqual(rows.filter((r) => r.w !== 28 || r.h !== 28 || r.left > 24 || r.textLeft < 0 || r.textLeft > 16), [], `radio buttons and their names: ${JSON.stringify(rows)}`);
		assert.equal(await page.getByText("Show the password").isVisible(), false, "no show box without the script that works it");
		// With scripts, the password can be shown as typed (and the box itself is not sent).
		const scripted = await browser(true);
		try {
			await scripted.page.goto(`${wifiBase}/wifi`);
			const password = scripted.page.getByLabel("Wi-Fi password");
			await password.fill("Geheim 123");
			assert.equal(await password.getAttribute("type"), "password");
			await scripted.page.getByLabel("Show the password").check();
			assert.equal(await password.getAttribute("type"), "text", "shown as typed");
			assert.equal(await password.inputValue(), "Geheim 123");
			await scripted.page.getByLabel("Show the password").uncheck();
			assert.equal(await password.getAttribute("type"), "password");
		} finally {
			await scripted.context.close();
		}
		// Wrong password first: the stand-in refuses it, and the page says so.
		await page.getByLabel(HOME_WIFI).check();
		await page.getByLabel("Wi-Fi password").fill("wrong-password-1");
		await page.getByRole("button", { name: "Join" }).click();
		await page.waitForURL(/\/wifi$/);
		for (let i = 0; i < 20 && !(await page.getByText("Cannot join").count()); i++) {
			await new Promise((r) => setTimeout(r, 200));
			await page.reload();
		}
		await page.getByText(`Cannot join “${HOME_WIFI}”`).waitFor();
		await page.getByLabel(HOME_WIFI).check();
		await page.getByLabel("Wi-Fi password").fill(HOME_WIFI_PASSWORD);
		await page.getByRole("button", { name: "Join" }).click();
		for (let i = 0; i < 20 && !(await page.getByText("Connected to").count()); i++) {
			await new Promise((r) => setTimeout(r, 200));
			await page.reload();
		}
		await page.getByText(`Connected to “${HOME_WIFI}”`).waitFor();
		const stored = JSON.parse(readFileSync(fresh.settingsFile, "utf8")) as { wifi?: Record<string, unknown> };
		assert.equal(stored.wifi?.ssid, HOME_WIFI);
		assert.equal(stored.wifi?.pass, HOME_WIFI_PASSWORD, "the password is kept in the store for the radio");
		assert.equal(await page.getByLabel("Wi-Fi password").inputValue(), "", "the password is not sent back");
		await page.getByRole("link", { name: "Next: set the admin password" }).click();
		await page.getByRole("heading", { name: "Doorbell set-up" }).waitFor();
		await page.getByLabel("Admin password").fill(ADMIN_PASSWORD);
		await page.getByLabel("Repeat the password").fill(ADMIN_PASSWORD);
		await page.getByRole("button", { name: "Set password" }).click();
		await page.waitForURL(/\/sip\?n=set$/);
		// Signed in now: the Wi-Fi page needs the session, and shows the network joined.
		await page.goto(`${wifiBase}/wifi`);
		await page.getByText(`Connected to “${HOME_WIFI}”`).waitFor();
		assert.equal((await fetch(`${wifiBase}/wifi`, { redirect: "manual" })).status, 303, "without a session /wifi sends to the sign-in");
	} finally {
		await context.close();
	}
});

/**
 * Stores a sign-in in the browser's password manager as a user does who accepted its offer
 * after the first run: through Chromium's own page for adding one (its "Save?" bubble is out
 * of a headless browser's reach).
 */
async function storeSignIn(context: BrowserContext, site: string, user: string, password: string): Promise<void> {
	const manager = await context.newPage();
	try {
		await manager.goto("chrome://password-manager/passwords");
		await manager.getByRole("button", { name: "Add" }).click();
		await manager.getByRole("textbox", { name: "Site" }).fill(site);
		await manager.getByRole("textbox", { name: "Username" }).fill(user);
		await manager.locator("input[aria-label=Password]").fill(password);
		await manager.getByRole("button", { name: "Save" }).click();
		await manager.getByRole("textbox", { name: "Site" }).waitFor({ state: "hidden" });
	} finally {
		await manager.close();
	}
}

test("a saved admin sign-in: the browser fills it at the sign-in, never into the SIP, MQTT or Wi-Fi password or the network's name", { timeout: 60000 }, async () => {
	assert.ok(fresh, "the Wi-Fi set-up door (the test before) runs, with its admin password set");
	const doorBase = fresh.baseUrl;
	const { context, page } = await browser(true); // (the password manager's own page needs scripts)
	try {
		await storeSignIn(context, doorBase, "admin", ADMIN_PASSWORD);
		// Chromium's log of its password manager: it says when it has filled a page's forms (or found nothing to fill).
		const internals = await context.newPage();
		await internals.goto("chrome://password-manager-internals");
		const fills = async () => ((await internals.locator("body").innerText()).match(/PasswordAutofillAgent::OnFillPasswordForm/g) ?? []).length;
		const visit = async (path: string) => {
			const before = await fills();
			await page.goto(`${doorBase}${path}`);
			while ((await fills()) === before) await new Promise((r) => setTimeout(r, 100));
		};
		const filled = async () => (await page.evaluate(`[...document.querySelectorAll("input:not([type=hidden]):not([hidden]):not([type=checkbox]):not([type=radio])")].filter((e) => e.value).map((e) => e.name + "=" + (e.value === ${JSON.stringify(ADMIN_PASSWORD)} ? "the admin password" : e.value))`)) as string[];
		await visit("/sip");
		assert.deepEqual(await filled(), ["password=the admin password"], "filed under the hidden user admin, the sign-in is filled");
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("button", { name: "Save" }).waitFor();
		await visit("/sip");
		const onSettings = await filled();
		assert.deepEqual(onSettings.filter((f) => /^(sip_user|sip_password|user|password)=/.test(f)), [], `filled on the settings page: ${onSettings.join(", ")}`);
		await visit("/wifi");
		assert.deepEqual(await filled(), [], "the Wi-Fi page's network name and password stay empty (a filled name is joined in place of the network chosen)");
	} finally {
		await context.close();
	}
});

test("no script or console error on any page (the inline script passes the CSP), and no request for anywhere but 127.0.0.1", () => {
	assert.deepEqual(pageErrors, []);
	assert.deepEqual(offLoopback, []);
});

test("no password in any page, response or log line", async () => {
	const all = (await Promise.all(bodies)).join("\n");
	assert.ok(all.length > 5000, "responses were collected");
	for (const secret of [sipPassword, WRONG_SIP_PASSWORD, ADMIN_PASSWORD, HOME_WIFI_PASSWORD]) {
		assert.equal(all.indexOf(secret), -1, "a password appeared in a response");
		assert.equal(rig.simulator!.process.output.indexOf(secret), -1, "a password appeared in the simulator's output");
		assert.equal(fresh?.process.output.indexOf(secret), -1, "a password appeared in the set-up simulator's output");
	}
});
