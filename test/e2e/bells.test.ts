/*
 * Bell buttons against kamailio as the FRITZ!Box: button 1 dials **11, button 2 dials **12
 * under the caller name "Gartentor"; kamailio routes **11 to handset 611 and **12 to 612, as
 * a FRITZ!Box rings the phones chosen for each bell button. Each button rings only its own
 * handset; a press of the other button while one rings is logged and ignored.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Rig } from "../rig/index.js";

let rig: Rig;

before(async () => {
	rig = await Rig.start({ name: "e2e-bells", simulator: { sip: { sip_target: "**11", sip_displayname: "Vordertuer" }, settings: { bell: { bell2_target: "**12", bell2_name: "Gartentor" } } } });
});

after(async () => {
	await rig?.stop();
});

const sim = () => rig.simulator!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Presses bell button `n` with its key in the simulator's terminal. */
async function pressKey(n: number): Promise<void> {
	sim().process.write(`${n}\n`);
}

test("button 1 rings only 611 as Vordertuer; button 2 rings only 612 as Gartentor; the other button is ignored while one rings", { timeout: 90000 }, () =>
	rig.withLogs(async () => {
		const h611 = rig.handset("611"), h612 = rig.handset("612");

		let m611 = h611.mark(), m612 = h612.mark();
		const firstAt = Date.now() / 1000;
		await pressKey(1);
		await h611.waitFor("incoming", { from: m611 });
		const invite1 = await rig.kamailio.waitForMessage((m) => rig.fromDoor(m) && m.method === "INVITE" && m.header("proxy-authorization") !== undefined, { after: firstAt, what: "button 1's INVITE" });
		assert.match(invite1.uri, /^sip:\*\*11@/);
		assert.match(invite1.header("from") ?? "", /^"Vordertuer" <sip:620@/);
		let status = await sim().waitForStatus((s) => s.call === "ringing", { what: "button 1 ringing" });
		assert.deepEqual((status.last_press as { button: number }).button, 1);
		// The house's gong sounded once for the press (500 ms), and the status LED blinks "ringing".
		status = await sim().waitForStatus((s) => ((s.gong_pulses ?? []) as unknown[]).length === 1, { what: "one gong pulse" });
		const gong = (status.gong_pulses as Array<{ ms: number }>)[0];
		assert.ok(gong.ms >= 495 && gong.ms <= 650, `a gong pulse of about 500 ms, got ${gong.ms}`);
		assert.equal((status.status_led as { pattern: string }).pattern, "ringing");

		// Button 2 while button 1 rings: logged, no second call.
		const mark = sim().mark();
		await sleep(1200);
		await pressKey(2);
		// The door says it did not ring; a ring would have sent its INVITE before that line.
		await sim().waitFor(/ring \(button\): not ringing: a call is already (calling|ringing) \[button 2 "Gartentor" → \*\*12\]/, { from: mark, timeoutMs: 5000 });
		assert.equal(h612.saw("incoming", m612), false, "612 never rang for button 1");
		assert.equal(rig.kamailio.messages().filter((m) => rig.fromDoor(m) && m.method === "INVITE" && m.time >= firstAt && /\*\*12/.test(m.uri)).length, 0);

		sim().hangup();
		await h611.waitFor("closed", { from: m611 });
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after button 1" });
		await sleep(1200);

		m611 = h611.mark();
		m612 = h612.mark();
		const secondAt = Date.now() / 1000;
		const rang = await sim().request("POST", "/ring/sip?button=2");
		assert.equal(rang.status, 200);
		const incoming = await h612.waitFor("incoming", { from: m612 });
		assert.match(incoming[1], /Gartentor/, "the handset shows the button's caller name");
		const invite2 = await rig.kamailio.waitForMessage((m) => rig.fromDoor(m) && m.method === "INVITE" && m.header("proxy-authorization") !== undefined && m.time >= secondAt, { after: secondAt, what: "button 2's INVITE" });
		assert.match(invite2.uri, /^sip:\*\*12@/);
		assert.match(invite2.header("from") ?? "", /^"Gartentor" <sip:620@/);
		status = await sim().waitForStatus((s) => s.call === "ringing", { what: "button 2 ringing" });
		assert.equal(((status.gong_pulses ?? []) as unknown[]).length, 2, "the key 2 press sounded the gong, the web page's ring did not");
		assert.deepEqual(status.last_press, { button: 2, name: "Gartentor", target: "**12", source: "web", rang: true, ms_ago: (status.last_press as { ms_ago: number }).ms_ago });
		// kamailio forks a call to all its targets at once: by the time 612 rings, an INVITE to 611 would have been sent.
		assert.equal(rig.kamailio.messages().some((m) => m.direction === "snd" && m.method === "INVITE" && m.time >= secondAt && /^sip:611@/.test(m.uri)), false, "no INVITE to 611");
		assert.equal(h611.saw("incoming", m611), false, "611 never rang for button 2");
		sim().hangup();
		await h612.waitFor("closed", { from: m612 });
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after button 2" });

		// The key 2 in the terminal rings button 2 too.
		await sleep(1200);
		m612 = h612.mark();
		await pressKey(2);
		await h612.waitFor("incoming", { from: m612 });
		sim().hangup();
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle at the end" });
	}));
