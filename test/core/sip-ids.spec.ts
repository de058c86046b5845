import { test, group, assert } from "../lib/spec.js";
import { IdSource } from "../../sip/ids.js";

/** A random source that hands out 0, 1, 2, … in order. */
function counting(): (target: Uint8Array) => void {
	let next = 0;
	return (target) => {
		for (let i = 0; i < target.length; i++) target[i] = next++ & 255;
	};
}

function expectedHex(bytes: number[]): string {
	return bytes.map((b) => (b < 16 ? "0" : "") + b.toString(16)).join("");
}

group("ids", () => {
	test("branch, tag and Call-ID: the random bytes in lowercase hex, the branch with the magic cookie", () => {
		const ids = new IdSource(counting());
		// Each id takes one fill of 16 bytes and uses the first ones.
		assert.equal(ids.branch(), "z9hG4bK" + expectedHex([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
		assert.equal(ids.tag(), expectedHex([16, 17, 18, 19, 20, 21]));
		assert.equal(ids.callId("192.168.178.30"), expectedHex([32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43]) + "@192.168.178.30");
		assert.equal(ids.hex(16), expectedHex([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63]));
	});

	test("binding: Call-ID, tag and a 31-bit number from one fill of 24 bytes", () => {
		const ids = new IdSource(counting());
		const first = ids.binding("192.168.178.30");
		assert.equal(first.callId, expectedHex([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) + "@192.168.178.30");
		assert.equal(first.tag, expectedHex([12, 13, 14, 15, 16, 17]));
		assert.equal(first.int31, 0x12131415);
		const second = ids.binding("h");
		assert.equal(second.callId, expectedHex([24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]) + "@h");
		assert.equal(second.tag, expectedHex([36, 37, 38, 39, 40, 41]));
		const top = new IdSource((target) => target.fill(0xff)).binding("h");
		assert.equal(top.int31, 0x7fffffff, "the top bit is cleared");
	});

	test("every byte value has its two digits; ids taken one after another do not share text", () => {
		let value = 0;
		const ids = new IdSource((target) => target.fill(value));
		for (value = 0; value < 256; value++) {
			const hex = (value < 16 ? "0" : "") + value.toString(16);
			assert.equal(ids.hex(1), hex);
		}
		value = 0xab;
		const a = ids.tag();
		value = 0x0f;
		const b = ids.tag();
		assert.equal(a, "abababababab");
		assert.equal(b, "0f0f0f0f0f0f");
	});

	test("int31: the first four random bytes big-endian without the top bit", () => {
		let value = 0xff;
		const ids = new IdSource((target) => target.fill(value));
		assert.equal(ids.int31(), 0x7fffffff);
		value = 0x80;
		assert.equal(ids.int31(), 0x00808080);
		const counted = new IdSource(counting());
		assert.equal(counted.int31(), 0x00010203);
	});

	test("more bytes than the shared buffer holds", () => {
		const ids = new IdSource(counting());
		const bytes: number[] = [];
		for (let i = 0; i < 20; i++) bytes.push(i);
		assert.equal(ids.hex(20), expectedHex(bytes));
	});
});
