import { test, group, assert } from "../lib/spec.js";
import { UaHarness, inboundInvite, LOCAL, PBX } from "../lib/ua-harness.js";
import type { SipMessage } from "../../sip/message.js";

/** A request outside any dialog (To without a tag), with a branch of its own. */
function request(method: string, n: number, options: { uri?: string; cseq?: string; extra?: string[] } = {}): string {
	return [
		`${method} ${options.uri ?? `sip:620@${LOCAL}:5062`} SIP/2.0`,
		`Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKtag${n}`,
		"Max-Forwards: 70",
		`From: <sip:611@fritz.box>;tag=t${n}`,
		"To: <sip:620@fritz.box>",
		`Call-ID: tags-${n}@${PBX}`,
		`CSeq: ${options.cseq ?? `1 ${method}`}`,
		...(options.extra ?? []),
		"Content-Length: 0",
		"",
		"",
	].join("\r\n");
}

/** The tag of a response's To. */
function toTag(m: SipMessage): string | undefined {
	return /;tag=([0-9a-f]+)$/.exec(m.header("to")!)?.[1];
}

group("To tags of responses outside a dialog (RFC 3261 §8.2.6.2)", () => {
	test("every answer above 100 carries a To tag, a tag of its own", () => {
		const h = new UaHarness();
		h.register();
		const cases: Array<[number, string, string?]> = [
			[200, request("OPTIONS", 1)],
			[481, request("INFO", 2)],
			[481, request("BYE", 3)],
			[481, request("CANCEL", 4)],
			[405, request("SUBSCRIBE", 5)],
			[501, request("FROBNICATE", 6)],
			[416, request("OPTIONS", 7, { uri: "http://fritz.box/" })],
			[420, request("OPTIONS", 8, { extra: ["Require: 100rel"] })],
			[406, request("INVITE", 9, { extra: ["Accept: text/plain"] })],
			[488, request("INVITE", 10)],
			[400, request("OPTIONS", 11, { cseq: "1 INFO" })],
			[403, request("OPTIONS", 12), "192.168.178.99"],
		];
		const tags = new Set<string>();
		for (const [status, text, from] of cases) {
			h.deliver(text, from);
			const answer = h.one();
			assert.equal(answer.status, status);
			const tag = toTag(answer);
			assert.match(tag ?? "", /^[0-9a-f]{12}$/, `${status} ${answer.header("cseq")}: To ${answer.header("to")}`);
			tags.add(tag!);
		}
		assert.equal(tags.size, cases.length, "a new tag for each request");
	});

	test("a malformed request sent again gets the same 400, To tag and all (RFC 3261 §8.2.6.2); another request another tag", () => {
		const h = new UaHarness();
		h.register();
		const answerTo = (text: string) => {
			h.deliver(text);
			const answer = h.one();
			assert.equal(answer.status, 400);
			return toTag(answer);
		};
		const first = answerTo(request("OPTIONS", 1, { cseq: "1 INFO" }));
		assert.match(first ?? "", /^[0-9a-f]{12}$/);
		assert.equal(answerTo(request("OPTIONS", 1, { cseq: "1 INFO" })), first, "the retransmission's answer");
		assert.notEqual(answerTo(request("OPTIONS", 2, { cseq: "1 INFO" })), first, "a new request (its own branch)");
		assert.equal(h.transport.rejected, 3);
	});

	test("480 with auto-answer off and 486 to a second call carry one; a retransmission gets the same tag", () => {
		const off = new UaHarness({ autoAnswer: false });
		off.register();
		off.deliver(inboundInvite());
		const unavailable = off.one();
		assert.equal(unavailable.status, 480);
		assert.ok(toTag(unavailable));
		off.deliver(inboundInvite());
		assert.equal(toTag(off.one()), toTag(unavailable));

		const h = new UaHarness();
		h.deliver(h.answeredCall()("ACK"));
		h.deliver(inboundInvite({ callId: "second@x", branch: "z9hG4bKin2" }));
		const busy = h.one();
		assert.equal(busy.status, 486);
		assert.ok(toTag(busy));
		h.clock.advance(500);
		assert.equal(toTag(h.one()), toTag(busy), "Timer G resends the same response");
		h.deliver(request("OPTIONS", 1));
		const ok = h.one();
		h.deliver(request("OPTIONS", 1));
		assert.equal(toTag(h.one()), toTag(ok));
		h.deliver(request("OPTIONS", 2), "192.168.178.99");
		const forbidden = h.one();
		h.deliver(request("OPTIONS", 2), "192.168.178.99");
		assert.equal(toTag(h.one()), toTag(forbidden));
	});

	test("100 Trying carries none; the 200 to a call carries its dialog's tag, and so does the 200 to a CANCEL of it (RFC 3261 §9.2)", () => {
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite());
		const [trying, ok] = h.sent();
		assert.equal(trying.status, 100);
		assert.equal(trying.header("to"), "<sip:620@fritz.box>");
		assert.equal(ok.status, 200);
		assert.equal(toTag(ok), h.ua.call!.dialog!.localTag);
		h.deliver(inboundInvite().replace(/INVITE/g, "CANCEL").replace(/Content-Type: .*\r\nContent-Length: \d+\r\n\r\n[\s\S]*$/, "Content-Length: 0\r\n\r\n"));
		const cancelled = h.one();
		assert.equal(cancelled.header("cseq"), "100 CANCEL");
		assert.equal(cancelled.status, 200);
		assert.equal(toTag(cancelled), toTag(ok));
		assert.equal(h.ua.call?.state, "answered", "too late to cancel");
	});
});
