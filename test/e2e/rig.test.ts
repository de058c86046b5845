// The rig itself: a run that cannot start leaves no process behind (the test process would
// otherwise wait for them) and says why; kamailio relays nothing off loopback and the rig's
// children ask no DNS server but the rig's tripwire, and a run that tried either fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { Kamailio, Rig, RigProcess, RunDir, liveProcesses, loopbackDns } from "../rig/index.js";

test("a handset kamailio has no account for is refused by name before anything starts for it", { timeout: 30000 }, async () => {
	await assert.rejects(Rig.start({ name: "e2e-rig-unknown", handsets: [{ user: "611" }, { user: "699" }], simulator: false }), /handset 699 has no account at kamailio/);
	assert.deepEqual(liveProcesses().map((p) => p.name), []);
});

test("a handset that cannot register fails the start, and the one that did register is stopped with the rig", { timeout: 30000 }, async () => {
	await assert.rejects(Rig.start({ name: "e2e-rig-wrong-password", handsets: [{ user: "611" }, { user: "612", password: "wrong" }], simulator: false }), /registration of 612/);
	assert.deepEqual(liveProcesses().map((p) => p.name), []);
});

test("idle() ends a call a handset still rings with while the door is idle (the next /accept would answer it, not the door's call)", { timeout: 60000 }, async () => {
	const rig = await Rig.start({ name: "e2e-rig-idle", handsets: [{ user: "611" }, { user: "612" }] });
	try {
		const h611 = rig.handset("611"), h612 = rig.handset("612");
		const mark = h612.mark();
		h611.dial("612");
		await h612.waitFor("incoming", { from: mark });
		assert.equal((await rig.simulator!.status()).call, "idle", "the door has no part in the call");
		assert.equal(await h612.activeCalls(), 1, "612 rings");
		await rig.idle();
		assert.equal(await h612.activeCalls(), 0, "612 no longer rings");
		assert.equal(await h611.activeCalls(), 0, "611's call was refused");
		assert.ok(h612.saw("closed", mark), "612 says its call closed");
	} finally {
		await rig.stop();
	}
});

test("a wideband handset without a microphone file answers the door's call in G.722 (its silence is at 16 kHz, as baresip's g722 needs)", { timeout: 40000 }, async () => {
	const rig = await Rig.start({ name: "e2e-rig-wideband", handsets: [{ user: "611", wideband: true }] });
	try {
		const h611 = rig.handset("611");
		const mark = h611.mark();
		await rig.simulator!.press();
		await h611.waitFor("incoming", { from: mark });
		h611.answer();
		await h611.waitFor("established", { from: mark });
		const status = await rig.simulator!.waitForStatus((s) => s.call === "answered", { what: "the call answered" });
		assert.equal((status.current_call as { codec?: string } | undefined)?.codec, "G722");
	} finally {
		await rig.stop();
	}
});

/** An OPTIONS within a dialog that kamailio does not know, sent to it from 127.0.0.1. */
async function inDialogOptions(kamailio: { port: number }, target: string): Promise<{ replies: string[]; close: () => void }> {
	const socket = dgram.createSocket("udp4");
	await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
	const replies: string[] = [];
	socket.on("message", (data) => replies.push(data.toString("latin1").split("\r\n")[0]));
	const port = socket.address().port;
	const message = [`OPTIONS ${target} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-rig-${Date.now()};rport`, "Max-Forwards: 70", "From: <sip:611@fritz.box>;tag=rig-a", "To: <sip:620@fritz.box>;tag=rig-b", `Call-ID: rig-loopback-${Date.now()}`, "CSeq: 2 OPTIONS", "Content-Length: 0", "", ""].join("\r\n");
	socket.send(message, kamailio.port, "127.0.0.1");
	return { replies, close: () => socket.close() };
}

test("kamailio relays nothing to a name: an in-dialog OPTIONS for sip:door@example.invalid is dropped before any lookup, and the run fails", { timeout: 30000 }, async () => {
	const dns = await loopbackDns();
	const rig = await Rig.start({ name: "e2e-rig-name", handsets: [], simulator: false });
	const mark = dns.mark();
	let stopped = false;
	try {
		const options = await inDialogOptions(rig.kamailio, "sip:door@example.invalid");
		try {
			await rig.kamailio.process.waitFor(/LOOPBACK-GUARD drop OPTIONS to example\.invalid/, { timeoutMs: 5000 });
			await new Promise((r) => setTimeout(r, 1500));
			assert.deepEqual(dns.since(mark), [], "no DNS query was made");
			assert.deepEqual(rig.kamailio.messages().filter((m) => m.direction === "snd" && m.method === "OPTIONS"), [], "nothing relayed");
		} finally {
			options.close();
		}
		stopped = true;
		await assert.rejects(rig.stop(), /LOOPBACK-GUARD drop OPTIONS to example\.invalid/);
	} finally {
		if (!stopped) await rig.stop().catch(() => {});
	}
});

test("a ring group rings only registered members on loopback: 612 (not registered) gets no branch and a member at a name is dropped before any lookup; 611 rings", { timeout: 40000 }, async () => {
	const dns = await loopbackDns();
	const rig = await Rig.start({ name: "e2e-rig-ring", handsets: [{ user: "611" }], kamailio: { ringMembers: ["611", "612", "613@example.invalid"] } });
	const mark = dns.mark();
	let stopped = false;
	try {
		const h611 = rig.handset("611");
		const from = h611.mark();
		await rig.simulator!.press();
		await h611.waitFor("incoming", { from });
		await rig.kamailio.process.waitFor(/LOOPBACK-GUARD drop INVITE to example\.invalid/, { timeoutMs: 5000 });
		assert.match(rig.kamailio.process.output, /ring group member sip:612@127\.0\.0\.1 is not registered/);
		rig.simulator!.hangup();
		// sipdump writes its file about once a second. The CANCEL first: idle() hangs up the
		// handsets too, and 611's refusal, if it reached kamailio before the door's CANCEL, ended
		// the branch, so kamailio had nothing to cancel.
		await rig.kamailio.waitForMessage((m) => m.direction === "snd" && m.method === "CANCEL", { what: "the CANCEL to 611" });
		await rig.idle();
		const invites = rig.kamailio.messages().filter((m) => m.direction === "snd" && m.method === "INVITE");
		assert.deepEqual(invites.map((m) => m.dst.port), [h611.sipPort], "one INVITE, to 611");
		assert.deepEqual(dns.since(mark), [], "no DNS query was made");
		stopped = true;
		const failure = await rig.stop().then(() => undefined, (error: Error) => error.message);
		assert.match(failure ?? "", /LOOPBACK-GUARD drop INVITE to example\.invalid/);
		assert.doesNotMatch(failure ?? "", /612/, "an unregistered member is no failure");
	} finally {
		if (!stopped) await rig.stop().catch(() => {});
	}
});

test("the rig's children resolve through its tripwire on loopback: a lookup is answered 'no such name', counted, and fails a kamailio run", { timeout: 30000 }, async (t) => {
	// Under CI=true loopbackDns() throws when either is missing.
	const dns = await loopbackDns();
	if (dns.isolation === "none" || !dns.listening) return t.skip("no mount namespace for the children or no tripwire here: the rig warned");
	const dir = new RunDir("e2e-rig-dns");
	try {
		const seen = new RigProcess({ name: "resolv.conf", ...dns.wrap("cat", ["/etc/resolv.conf"]), logFile: dir.file("cat.log") });
		await seen.exited;
		assert.match(seen.output, new RegExp(`^nameserver ${dns.address.replace(/\./g, "\\.")}$`, "m"));
		assert.doesNotMatch(readFileSync("/etc/resolv.conf", "utf8"), /klingel|tripwire/, "the system's file is untouched");

		const kamailio = await Kamailio.start({ dir: dir.dir("kamailio") });
		const lookup = new RigProcess({ name: "getent", ...dns.wrap("getent", ["ahosts", "klingel-probe.invalid"]), logFile: dir.file("getent.log") });
		await lookup.exited;
		assert.equal(lookup.exitCode, 2, "not found");
		assert.ok(dns.queries.some((q) => q.question === "A klingel-probe.invalid"), JSON.stringify(dns.queries));
		await assert.rejects(kamailio.stop(), /a DNS query \(A klingel-probe\.invalid\) reached the rig's resolver/);
	} finally {
		dir.remove();
	}
});
