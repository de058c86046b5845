/*
 * The captive portal's DNS answers (modules/captive-dns.ts), read back by a reader of the test's
 * own: every name is the door for A (and ANY), no records but NOERROR for any other type, an
 * EDNS query's OPT record after the answer; no answer to a response, another opcode, more or
 * fewer than one question, or a message cut short.
 */
import { test, group, assert } from "../lib/spec.js";
import { captiveDnsAnswer, CAPTIVE_DNS_TTL } from "../../modules/captive-dns.js";

const DOOR = "192.168.4.1";

function nameBytes(name: string): number[] {
	const out: number[] = [];
	for (const label of name.split(".")) out.push(label.length, ...Array.from(label, (c) => c.charCodeAt(0)));
	return [...out, 0];
}

/** A query: id 0xbeef, RD, one question; `opt` adds an EDNS OPT record (4096 bytes, DO). */
function query(name: string, type: number, options: { opt?: boolean; flags?: number; klass?: number } = {}): Uint8Array {
	const flags = options.flags ?? 0x0100;
	const opt = options.opt ? [0, 0, 41, 16, 0, 0, 0, 0x80, 0, 0, 0] : [];
	return Uint8Array.from([0xbe, 0xef, flags >> 8, flags & 255, 0, 1, 0, 0, 0, 0, 0, opt.length ? 1 : 0, ...nameBytes(name), 0, type, 0, options.klass ?? 1, ...opt]);
}

interface Read {
	id: number;
	flags: number;
	question: number[];
	answers: Array<{ pointer: boolean; type: number; klass: number; ttl: number; data: number[] }>;
	additional: Array<{ type: number; klass: number; data: number[] }>;
	rest: number;
}

/** The answer's header, question and records as a resolver reads them, in order; `rest` counts bytes left over. */
function read(bytes: Uint8Array): Read {
	const word = (at: number) => (bytes[at] << 8) | bytes[at + 1];
	let at = 12;
	while (bytes[at]) at += 1 + bytes[at];
	at += 5;
	const question = Array.from(bytes.subarray(12, at));
	const records: Array<{ pointer: boolean; type: number; klass: number; ttl: number; data: number[] }> = [];
	for (let n = word(6) + word(8) + word(10); n > 0; n--) {
		const pointer = bytes[at] >= 0xc0;
		if (pointer) assert.equal(word(at), 0xc00c, "a name points to the question's");
		else assert.equal(bytes[at], 0, "a name is the root (OPT)");
		at += pointer ? 2 : 1;
		const length = word(at + 8);
		records.push({ pointer, type: word(at), klass: word(at + 2), ttl: ((word(at + 4) << 16) | word(at + 6)) >>> 0, data: Array.from(bytes.subarray(at + 10, at + 10 + length)) });
		at += 10 + length;
	}
	assert.equal(word(4), 1, "one question");
	return { id: word(0), flags: word(2), question, answers: records.slice(0, word(6)), additional: records.slice(word(6) + word(8)), rest: bytes.length - at };
}

group("captive portal DNS", () => {
	test("an A query: the door's address for any name, authoritative, the query's id, question and RD", () => {
		for (const name of ["connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com", "x"]) {
			const q = query(name, 1);
			const a = read(captiveDnsAnswer(q, DOOR)!);
			assert.equal(a.id, 0xbeef);
			assert.equal(a.flags, 0x8500, "QR, AA, RD, NOERROR");
			assert.deepEqual(a.question, Array.from(q.subarray(12)));
			assert.deepEqual(a.answers, [{ pointer: true, type: 1, klass: 1, ttl: CAPTIVE_DNS_TTL, data: [192, 168, 4, 1] }]);
			assert.deepEqual(a.additional, []);
			assert.equal(a.rest, 0);
		}
		assert.equal(read(captiveDnsAnswer(query("a.b", 1, { flags: 0 }), DOOR)!).flags, 0x8400, "no RD asked, none echoed");
		assert.deepEqual(read(captiveDnsAnswer(query("a.b", 255), DOOR)!).answers[0].data, [192, 168, 4, 1], "ANY: the A record");
	});

	test("an EDNS query: the OPT record comes after the answer, in the additional section", () => {
		const a = read(captiveDnsAnswer(query("captive.apple.com", 1, { opt: true }), DOOR)!);
		assert.equal(a.answers.length, 1);
		assert.equal(a.answers[0].type, 1);
		assert.deepEqual(a.additional, [{ pointer: false, type: 41, klass: 512, ttl: 0, data: [] }]);
		assert.equal(a.rest, 0);
	});

	test("AAAA, HTTPS and other types, or another class: NOERROR without records, so the client goes on with A at once", () => {
		for (const [type, klass] of [[28, 1], [65, 1], [16, 1], [1, 3]]) {
			const a = read(captiveDnsAnswer(query("captive.apple.com", type, { opt: type === 65, klass }), DOOR)!);
			assert.equal(a.flags, 0x8500, `type ${type} class ${klass}`);
			assert.deepEqual(a.answers, []);
			assert.equal(a.additional.length, type === 65 ? 1 : 0);
			assert.equal(a.rest, 0);
		}
	});

	test("nothing to answer: a response, another opcode, no or two questions, a name cut short or with a pointer, a bad address", () => {
		const good = query("captive.apple.com", 1);
		const changed = (at: number, value: number) => {
			const copy = Uint8Array.from(good);
			copy[at] = value;
			return copy;
		};
		assert.equal(captiveDnsAnswer(changed(2, 0x81), DOOR), undefined, "a response");
		assert.equal(captiveDnsAnswer(changed(2, 0x28), DOOR), undefined, "UPDATE (opcode 5)");
		assert.equal(captiveDnsAnswer(changed(5, 0), DOOR), undefined, "no question");
		assert.equal(captiveDnsAnswer(changed(5, 2), DOOR), undefined, "two questions");
		assert.equal(captiveDnsAnswer(changed(12, 0xc0), DOOR), undefined, "a pointer in the question");
		assert.equal(captiveDnsAnswer(changed(12, 64), DOOR), undefined, "a label over 63");
		for (let length = 0; length < good.length; length++) assert.equal(captiveDnsAnswer(good.subarray(0, length), DOOR), undefined, `cut at ${length}`);
		assert.equal(captiveDnsAnswer(good, "192.168.4"), undefined);
		assert.equal(captiveDnsAnswer(good, "192.168.4.256"), undefined);
		assert.equal(captiveDnsAnswer(good, "192..4.1"), undefined);
	});
});
