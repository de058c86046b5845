import { test, group, assert } from "../lib/spec.js";
import { FakeUdp } from "../lib/fake-udp.js";
import { FreePort } from "../../modules/free-port.js";
import { SipTransport } from "../../sip/transport.js";
import { RtpPort } from "../../rtp/rtp-port.js";
import type { Logger, UdpFactory, UdpOptions } from "../../modules/ports.js";
import { memoryLogger } from "../lib/memory-logger.js";

/** A provider whose `taken` ports throw EADDRINUSE at once; every open is remembered. */
function provider(taken: number[] = []) {
	const lines: string[] = [];
	const log = memoryLogger(lines);
	const opened: Array<{ options: UdpOptions; socket: FakeUdp }> = [];
	const udp: UdpFactory = (options) => {
		if (taken.includes(options.port ?? 0)) throw Object.assign(new Error("bind: address in use"), { code: "EADDRINUSE" });
		const socket = new FakeUdp(options.port ?? 0);
		opened.push({ options, socket });
		return socket;
	};
	return { lines, log, opened, udp };
}

group("a free local port", () => {
	test("a taken port moves on by the step and is remembered; the log says which port is next", () => {
		const p = provider([5062, 5063]);
		const port = new FreePort({ udp: p.udp, log: p.log, name: "SIP", wanted: 5062, step: 1, last: 65535, tries: 20, onReadable() {} });
		const socket = port.open();
		assert.equal(socket.port, 5064);
		assert.equal(port.bound, 5064);
		assert.deepEqual(port.busy, [5062, 5063]);
		assert.deepEqual(p.lines, ["warn SIP: local port 5062 is busy; trying 5063", "warn SIP: local port 5063 is busy; trying 5064"]);
	});

	test("RTP stays on even ports and names the range in its error when all are taken", () => {
		const taken: number[] = [];
		for (let n = 40000; n <= 40050; n += 2) taken.push(n);
		const p = provider(taken);
		const rtp = new RtpPort({ udp: p.udp, log: p.log, wanted: 40001 });
		assert.equal(rtp.wanted, 40002);
		assert.throws(() => rtp.open(), /no free even UDP port for RTP between 40002 and 40042/);
		assert.equal(rtp.busy.length, 21);
		assert.equal(rtp.port, 0);
	});

	test("rtp_port 65535, the highest the setting takes, is taken as 65534: there is no even port above it", () => {
		const p = provider();
		const rtp = new RtpPort({ udp: p.udp, log: p.log, wanted: 65535 });
		assert.equal(rtp.wanted, 65534);
		rtp.open();
		assert.equal(rtp.port, 65534);
		assert.equal(new RtpPort({ udp: p.udp, log: p.log, wanted: 1 }).wanted, 2, "an odd port below it is still the next even one");
	});

	test("a port reported taken later is closed and the next one opened; the SIP socket tells its owner", () => {
		const p = provider();
		const changed: number[] = [];
		const sip: SipTransport = new SipTransport({ udp: p.udp, log: p.log, port: 5062, onMessage() {}, onMoved: () => changed.push(sip.port) });
		sip.open();
		changed.push(sip.port);
		p.opened[0].options.onError?.(Object.assign(new Error("bind EADDRINUSE 0.0.0.0:5062"), { code: "EADDRINUSE" }));
		assert.deepEqual(changed, [5062, 5063]);
		assert.equal(sip.port, 5063);
		assert.deepEqual(sip.busy, [5062]);
		// An error of a socket already replaced, or another error, is only logged.
		p.opened[0].options.onError?.(Object.assign(new Error("late"), { code: "EADDRINUSE" }));
		p.opened[1].options.onError?.(new Error("network down"));
		assert.equal(sip.port, 5063);
		assert.deepEqual(p.lines.slice(-2), ["warn SIP socket: late", "warn SIP socket: network down"]);
	});

	test("the port listened on is logged once the provider reports it bound, at the open or later", () => {
		// At once, as the device binds: the factory reports it before it returns.
		const p = provider([40000]);
		const early: UdpFactory = (options) => {
			const socket = p.udp(options);
			options.onBound?.(socket.port);
			return socket;
		};
		new RtpPort({ udp: early, log: p.log, wanted: 40000 }).open();
		assert.deepEqual(p.lines, ["warn RTP: local port 40000 is busy; trying 40002", "info RTP: listening on UDP 40002"]);
		// Later, as Node binds: nothing is said of the port asked for before it is found taken.
		const q = provider();
		const sip = new SipTransport({ udp: q.udp, log: q.log, port: 5062, onMessage() {} });
		sip.open();
		assert.deepEqual(q.lines, []);
		q.opened[0].options.onError?.(Object.assign(new Error("bind EADDRINUSE 0.0.0.0:5062"), { code: "EADDRINUSE" }));
		q.opened[1].options.onBound?.(5063);
		assert.deepEqual(q.lines, ["warn SIP: local port 5062 is busy; trying 5063", "info SIP: listening on UDP 5063"]);
	});

	test("another error at open is not taken for a busy port", () => {
		const log: Logger = { info() {}, warn() {}, error() {} };
		const port = new FreePort({ udp: () => { throw new Error("no network"); }, log, name: "RTP", wanted: 40000, step: 2, last: 65534, tries: 20, onReadable() {} });
		assert.throws(() => port.open(), /no network/);
		assert.deepEqual(port.busy, []);
		assert.equal(port.socket, undefined);
	});

	test("datagrams are announced with their count; closing forgets the socket", () => {
		const p = provider();
		const counts: number[] = [];
		const port = new FreePort({ udp: p.udp, log: p.log, name: "SIP", wanted: 5062, step: 1, last: 65535, tries: 20, onReadable: (n) => counts.push(n) });
		port.open();
		p.opened[0].options.onReadable?.(3);
		assert.deepEqual(counts, [3]);
		port.close();
		assert.equal(port.socket, undefined);
	});
});
