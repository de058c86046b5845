/*
 * The door behind a plain record-routing proxy (kamailio without topology hiding): it sees the
 * handsets' own Contacts and a Record-Route, and must send its in-dialog requests (ACK, BYE)
 * to the handset's Contact through the route set, for the calls it makes and those it takes.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Rig, type DumpedMessage } from "../rig/index.js";

let rig: Rig;

before(async () => {
	rig = await Rig.start({ name: "e2e-proxy", kamailio: { topologyHiding: false, ringMembers: ["611"] }, handsets: [{ user: "611" }] });
});

after(async () => {
	await rig?.stop();
});

/** Ends a call a failed test left up, so that the next one starts idle. */
async function idle(): Promise<void> {
	if ((await rig.simulator!.status()).call === "idle") return;
	rig.simulator!.hangup();
	await rig.simulator!.waitForStatus((s) => s.call === "idle", { timeoutMs: 10000, what: "an idle door" });
}

const fromDoor = (m: DumpedMessage) => rig.fromDoor(m);
const toDoor = (m: DumpedMessage) => rig.toDoor(m);
const routeOf = (m: DumpedMessage) => /<([^>]+)>/.exec(m.all("record-route")[0] ?? "")?.[1];

test("a call the door makes: ACK and BYE go to the handset's Contact with the Record-Route as Route", { timeout: 30000 }, async () => {
	await idle();
	const h611 = rig.handset("611");
	const from = h611.mark();
	const pressedAt = Date.now() / 1000;
	await rig.simulator!.press();
	await h611.waitFor("incoming", { from });
	h611.answer();
	await rig.simulator!.waitForStatus((s) => s.call === "answered", { what: "the call answered" });
	const ok = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.status === 200 && m.cseq.method === "INVITE", { after: pressedAt, what: "the 200 OK" });
	const route = routeOf(ok);
	assert.ok(route, "the 200 OK carries a Record-Route");
	const contact = /<([^>]+)>/.exec(ok.header("contact") ?? "")?.[1];
	assert.match(contact ?? "", new RegExp(`:${h611.sipPort}\\b`), "the handset's own Contact, not the proxy's");
	const ack = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "ACK" && m.callId === ok.callId && m.cseq.seq === ok.cseq.seq, { after: pressedAt, what: "the ACK for the 2xx" });
	assert.equal(ack.uri, contact);
	assert.equal(/<([^>]+)>/.exec(ack.header("route") ?? "")?.[1], route);
	rig.simulator!.hangup();
	const bye = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "BYE", { after: pressedAt, what: "the door's BYE" });
	assert.equal(bye.uri, contact);
	assert.equal(/<([^>]+)>/.exec(bye.header("route") ?? "")?.[1], route);
	await h611.waitFor("closed", { from });
	await rig.simulator!.waitForStatus((s) => s.call === "idle", { what: "idle" });
});

test("a call the door takes: its 200 OK mirrors the Record-Route, and its BYE follows it to the handset", { timeout: 30000 }, async () => {
	await idle();
	const h611 = rig.handset("611");
	const from = h611.mark();
	const dialledAt = Date.now() / 1000;
	h611.dial("620");
	await h611.waitFor("established", { from });
	const invite = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "INVITE", { after: dialledAt, what: "the INVITE to the door" });
	assert.equal(invite.header("route"), undefined, "the proxy consumed the handset's preloaded Route");
	const route = routeOf(invite);
	assert.ok(route);
	const ok = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.status === 200 && m.callId === invite.callId, { after: dialledAt, what: "the door's 200 OK" });
	assert.equal(routeOf(ok), route, "Record-Route mirrored in the 200 OK");
	await rig.simulator!.waitForStatus((s) => s.call === "answered", { what: "the call answered" });
	rig.simulator!.hangup();
	const bye = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "BYE" && m.callId === invite.callId, { after: dialledAt, what: "the door's BYE" });
	assert.match(bye.uri, new RegExp(`:${h611.sipPort}\\b`), "to the handset's Contact");
	assert.equal(/<([^>]+)>/.exec(bye.header("route") ?? "")?.[1], route);
	await h611.waitFor("closed", { from });
	await rig.simulator!.waitForStatus((s) => s.call === "idle", { what: "idle" });
});
