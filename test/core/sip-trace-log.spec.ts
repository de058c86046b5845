import { test, group, assert } from "../lib/spec.js";
import { SipTraceLog, TRACE_MAX_STORED_CHARS, TRACE_MAX_ENTRIES } from "../../sip/trace-log.js";
import { traceText } from "../../sip/trace-text.js";
import { tracePcap } from "../../web/pcap.js";
import { decodeUtf8, encodeUtf8 } from "../../modules/text.js";

const RESPONSE = "6629fae49393a05397450978507c4ef1";

function register(header = "Authorization", fold = false): string {
	const credentials = fold
		? `${header}: Digest username="620", realm="fritz.box",\r\n nonce="abc", uri="sip:fritz.box",\r\n\tresponse="${RESPONSE}", algorithm=MD5`
		: `${header}: Digest username="620",realm="fritz.box",nonce="abc",uri="sip:fritz.box",response="${RESPONSE}",algorithm=MD5,cnonce="x",qop=auth,nc=00000001`;
	return [
		"REGISTER sip:fritz.box SIP/2.0",
		"Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKr1;rport",
		"From: <sip:620@fritz.box>;tag=a",
		"To: <sip:620@fritz.box>",
		"Call-ID: reg1@127.0.0.1",
		"CSeq: 2 REGISTER",
		credentials,
		"Content-Length: 0",
		"",
		"",
	].join("\r\n");
}

function invite(bodyChars: number): string {
	const body = "v=0\r\n" + "a=x\r\n".repeat(Math.ceil(bodyChars / 5));
	return `INVITE sip:620@127.0.0.1:5062 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKi\r\nCall-ID: c@h\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

function newLog(): { log: SipTraceLog; clock: { t: number } } {
	const clock = { t: 1000 };
	return { log: new SipTraceLog({ now: () => clock.t, wallClock: () => 1_700_000_000_000 + clock.t }), clock };
}

group("SIP trace log", () => {
	test("a digest response is not shown, in Authorization, Proxy-Authorization and folded lines; the rest stays", () => {
		for (const text of [register(), register("Proxy-Authorization"), register("authorization", true)]) {
			const shown = traceText(encodeUtf8(text));
			assert.ok(!shown.includes(RESPONSE), shown);
			assert.match(shown, /response="\(not shown\)"/);
			assert.match(shown, /username="620"/);
			assert.match(shown, /nonce="abc"/);
			assert.equal(shown.length, text.length - RESPONSE.length + "(not shown)".length);
		}
		// A response= anywhere else (e.g. a body) is no credential and stays.
		const plain = "MESSAGE sip:a@b SIP/2.0\r\nCall-ID: response=1\r\n\r\n";
		assert.equal(traceText(encodeUtf8(plain)), plain);
	});

	test("keeps first line and headers with a note of the body's size, the trace's DTMF note as it is", () => {
		const { log } = newLog();
		log.add(false, encodeUtf8(invite(100)), "127.0.0.1", 5060, 5062);
		const info = "INFO sip:620@h SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKf\r\nCSeq: 5 INFO\r\nContent-Type: application/dtmf-relay\r\nContent-Length: 10\r\n\r\nSignal=1\r\n";
		log.add(false, encodeUtf8(info), "127.0.0.1", 5060, 5062);
		log.add(true, encodeUtf8(register()), "127.0.0.1", 5060, 5062);
		const [a, b, c] = log.entries;
		assert.match(a.text, /^INVITE sip:620@127\.0\.0\.1:5062 SIP\/2\.0\r\n[^]*Content-Length: \d+\r\n\r\n\[body of \d+ characters not kept\]$/);
		assert.ok(!a.text.includes("a=x"));
		assert.match(b.text, /\r\n\r\n\[body of 10 characters not shown: it may carry DTMF\]$/);
		assert.ok(!b.text.includes("Signal"));
		assert.ok(c.out && !a.out);
		assert.ok(!c.text.includes(RESPONSE));
		assert.equal(c.time, 1_700_000_001_000);
	});

	test(`holds at most ${TRACE_MAX_ENTRIES} messages and ${TRACE_MAX_STORED_CHARS} characters as stored, dropping the oldest`, () => {
		const { log, clock } = newLog();
		for (let i = 0; i < TRACE_MAX_ENTRIES + 30; i++) {
			clock.t++;
			log.add(true, encodeUtf8(`OPTIONS sip:fritz.box SIP/2.0\r\nCall-ID: o@h\r\nCSeq: ${i} OPTIONS\r\nContent-Length: 0\r\n\r\n`), "127.0.0.1", 5060, 5062);
		}
		assert.equal(log.entries.length, TRACE_MAX_ENTRIES);
		assert.equal(log.dropped, 30);
		assert.match(log.entries[0].text, /CSeq: 30 OPTIONS/);
		// Messages whose headers are long: the character budget binds first.
		// (Each with a Subject of its own: a line the message before has is stored as a reference.)
		const long = (i: number) => invite(0).replace("Call-ID: c@h", `Call-ID: c@h\r\nSubject: ${i} ` + "s".repeat(1500));
		for (let i = 0; i < 40; i++) log.add(false, encodeUtf8(long(i)), "127.0.0.1", 5060, 5062);
		assert.ok(log.storedChars <= TRACE_MAX_STORED_CHARS, `${log.storedChars} characters kept`);
		assert.ok(log.storedChars > TRACE_MAX_STORED_CHARS - 2000, `${log.storedChars} characters kept: the budget is used`);
		assert.ok(log.entries.length < TRACE_MAX_ENTRIES);
		assert.match(log.entries[0].text, /\[headers cut\]/);
	});

	test("a message is stored packed, to about half its characters, and shown exactly as it came; one with a control character is stored as it is", () => {
		const { log } = newLog();
		const messages = [
			register(),
			register("Proxy-Authorization", true),
			"SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK2157;rport=5062;received=127.0.0.1\r\nFrom: \"Doorbell\" <sip:620@fritz.box>;tag=88b0\r\nTo: <sip:620@fritz.box>;tag=aa00\r\nCall-ID: 7b01@127.0.0.1\r\nCSeq: 885 REGISTER\r\nWWW-Authenticate: Digest realm=\"fritz.box\", nonce=\"axNq\", qop=\"auth\"\r\nServer: kamailio\r\nContent-Length: 0\r\n\r\n",
			"REGISTER sip:fritz.box SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK72e6;rport\r\nMax-Forwards: 70\r\nUser-Agent: klingel/0.1\r\nFrom: \"Doorbell\" <sip:620@fritz.box>;tag=88b0\r\nTo: <sip:620@fritz.box>\r\nCall-ID: 7b01@127.0.0.1\r\nCSeq: 886 REGISTER\r\nContact: <sip:620@127.0.0.1:5062>\r\nAuthorization: Digest username=\"620\", realm=\"fritz.box\", nonce=\"axNq\", uri=\"sip:fritz.box\", response=\"6629fae4\", qop=auth, nc=00000001, cnonce=\"a601\"\r\nExpires: 120\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\nContent-Length: 0\r\n\r\n",
			"OPTIONS sip:door SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nSubject: bell\x07\x01\x1f\nCall-ID: \x00x\r\n\r\n",
			"MESSAGE sip:a SIP/2.0\r\nSubject: ;tag=<sip: SIP/2.0SIP/2.0 \r\r\n\r\n",
		];
		for (const m of messages) log.add(true, encodeUtf8(m), "127.0.0.1", 5060, 5062);
		const shown = log.entries.map((e) => e.text);
		let raw = 0;
		// Each has headers only, ending in one CRLF CRLF: shown as the trace text shows it.
		messages.forEach((m, i) => {
			assert.equal(shown[i], traceText(encodeUtf8(m)));
			raw += shown[i].length;
		});
		const packed4 = newLog().log;
		for (const m of messages.slice(0, 4)) packed4.add(true, encodeUtf8(m), "127.0.0.1", 5060, 5062);
		const raw4 = packed4.entries.reduce((n, e) => n + e.text.length, 0);
		assert.ok(packed4.storedChars < raw4 * 0.6, `${packed4.storedChars} characters stored for ${raw4}`);
		assert.ok(log.storedChars < raw, `${log.storedChars} stored for ${raw}`);
	});

	test("a header line the message before has is stored as a reference, shown exactly, also once the messages it referred to are dropped", () => {
		const options = (i: number) => `OPTIONS sip:620@127.0.0.1:5062 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${1000 + i}a71c;rport\r\nFrom: <sip:127.0.0.1>;tag=${3000 + i}f2\r\nTo: <sip:620@127.0.0.1:5062>\r\nCall-ID: ${5000 + i}b7e41d09@127.0.0.1\r\nCSeq: ${100 + i} OPTIONS\r\nMax-Forwards: 70\r\nUser-Agent: AVM FRITZ!Box 7590 154.07.57 (Nov 14 2023)\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n`;
		const ok = (i: number) => `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${1000 + i}a71c;rport=5060;received=127.0.0.1\r\nFrom: <sip:127.0.0.1>;tag=${3000 + i}f2\r\nTo: <sip:620@127.0.0.1:5062>;tag=d00r\r\nCall-ID: ${5000 + i}b7e41d09@127.0.0.1\r\nCSeq: ${100 + i} OPTIONS\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n`;
		// A message with DEL is stored as it is; the next one may still refer to its lines.
		const odd = "OPTIONS sip:620@127.0.0.1:5062 SIP/2.0\r\nSubject: \x7f\x7f\r\nUser-Agent: AVM FRITZ!Box 7590 154.07.57 (Nov 14 2023)\r\nContent-Length: 0\r\n\r\n";
		const sent: string[] = [];
		const { log } = newLog();
		for (let i = 0; i < 70; i++) {
			for (const m of i === 20 ? [odd, options(i), ok(i)] : [options(i), ok(i)]) {
				sent.push(m);
				log.add(i % 2 === 0, encodeUtf8(m), "127.0.0.1", 5060, 5062);
			}
			if (sent.length <= 60) continue;
			// Every message kept is shown exactly as it came, the oldest (dropped to) too.
			const shown = log.entries.map((e) => e.text);
			assert.deepEqual(shown, sent.slice(sent.length - shown.length).map((m) => traceText(encodeUtf8(m))));
		}
		assert.equal(log.entries.length, TRACE_MAX_ENTRIES);
		assert.ok(log.dropped > 80, `${log.dropped} dropped`);
		// The last 50 messages, each packed alone, would take far more.
		const kept = sent.slice(-TRACE_MAX_ENTRIES).reduce((n, m) => {
			const single = newLog().log;
			single.add(true, encodeUtf8(m), "127.0.0.1", 5060, 5062);
			return n + single.storedChars;
		}, 0);
		assert.ok(log.storedChars < kept * 0.85, `${log.storedChars} characters stored, ${kept} packed alone`);
	});

	test("the pcap file: header, one IPv4/UDP frame a message with valid IP checksums, ports and addresses by direction", () => {
		const { log, clock } = newLog();
		log.add(true, encodeUtf8(register()), "127.0.0.9", 5060, 5062);
		clock.t += 1234;
		log.add(false, encodeUtf8(invite(50)), "127.0.0.9", 5060, 5062);
		const file = new Uint8Array(tracePcap(log.entries, "127.0.0.5"));
		const view = new DataView(file.buffer);
		assert.equal(view.getUint32(0, true), 0xa1b2c3d4);
		assert.equal(view.getUint32(20, true), 228);
		let at = 24;
		const frames: { ts: number; src: string; dst: string; sport: number; dport: number; payload: string }[] = [];
		while (at < file.length) {
			const ts = view.getUint32(at, true) * 1000 + view.getUint32(at + 4, true) / 1000;
			const len = view.getUint32(at + 8, true);
			assert.equal(view.getUint32(at + 12, true), len);
			const ip = at + 16;
			assert.equal(file[ip], 0x45);
			assert.equal(view.getUint16(ip + 2), len);
			let sum = 0;
			for (let i = 0; i < 20; i += 2) sum += view.getUint16(ip + i);
			while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
			assert.equal(sum, 0xffff, "the IP header checksum adds up");
			const udp = ip + 20;
			assert.equal(view.getUint16(udp + 4), len - 20);
			const addr = (o: number) => Array.from(file.subarray(o, o + 4)).join(".");
			frames.push({ ts, src: addr(ip + 12), dst: addr(ip + 16), sport: view.getUint16(udp), dport: view.getUint16(udp + 2), payload: decodeUtf8(file.subarray(udp + 8, ip + len)) });
			at = ip + len;
		}
		assert.equal(at, file.length);
		assert.equal(frames.length, 2);
		assert.deepEqual([frames[0].src, frames[0].sport, frames[0].dst, frames[0].dport], ["127.0.0.5", 5062, "127.0.0.9", 5060]);
		assert.deepEqual([frames[1].src, frames[1].sport, frames[1].dst, frames[1].dport], ["127.0.0.9", 5060, "127.0.0.5", 5062]);
		assert.equal(frames[1].ts - frames[0].ts, 1234);
		assert.match(frames[0].payload, /^REGISTER sip:fritz\.box SIP\/2\.0\r\n[^]*\r\n\r\n$/);
		assert.ok(!frames[0].payload.includes(RESPONSE));
		assert.ok(!frames[1].payload.includes("not kept"), "the trace's note is no part of the SIP payload");
	});
});
