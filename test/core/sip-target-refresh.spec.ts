import { test, group, assert } from "../lib/spec.js";
import { UaHarness, handsetRequest, OFFER, PBX } from "../lib/ua-harness.js";

const ANSWER = OFFER.replace("m=audio 7078 RTP/AVP 8 0 101", "m=audio 7080 RTP/AVP 0 101").replace("a=rtpmap:8 PCMA/8000\r\n", "");
/** Where the call moved: another handset's Contact. */
const MOVED = `sip:612@${PBX}:5070`;

group("target refresh: a re-INVITE's or UPDATE's Contact is where the dialog's requests go (RFC 3261 §12.2.2, RFC 3311 §5.2)", () => {
	test("a call from a handset: the door's BYE after a re-INVITE with a new Contact goes to it", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		h.deliver(inDialog("INVITE", [`Contact: <${MOVED}>`, "Content-Type: application/sdp"], OFFER.replace(/\r\n/g, "\n")));
		assert.equal(h.one().status, 200);
		h.ua.hangup();
		const bye = h.one();
		assert.equal(bye.method, "BYE");
		assert.equal(bye.uri, MOVED);
	});

	test("the door's call: the BYE after an UPDATE with a new Contact goes to it; a later OPTIONS's Contact changes nothing", () => {
		const h = new UaHarness();
		h.register();
		h.ua.ring();
		const invite = h.one();
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		assert.equal(h.one().uri, `sip:611@${PBX}:5060`, "the ACK goes to the 2xx's Contact");
		h.deliver(handsetRequest(invite, { method: "UPDATE", branch: "z9hG4bKup1", headers: [`Contact: <${MOVED}>`] }));
		assert.equal(h.one().status, 200);
		// OPTIONS is no target refresh request: its Contact, if any, is not taken.
		h.deliver(handsetRequest(invite, { method: "OPTIONS", branch: "z9hG4bKopt1", headers: [`Contact: <sip:613@${PBX}:5080>`] }).replace("CSeq: 5 OPTIONS", "CSeq: 6 OPTIONS"));
		assert.equal(h.one().status, 200);
		h.ua.hangup();
		const bye = h.one();
		assert.equal(bye.method, "BYE");
		assert.equal(bye.uri, MOVED);
	});

	test("a re-INVITE the door refuses (488) leaves the target where it was", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		const noCodec = OFFER.replace("RTP/AVP 8 0 101", "RTP/AVP 3").replace(/a=rtpmap:(8|0|101) .*\r\n/g, "");
		h.deliver(inDialog("INVITE", [`Contact: <${MOVED}>`, "Content-Type: application/sdp"], noCodec));
		assert.equal(h.one().status, 488);
		h.ua.hangup();
		assert.equal(h.one().uri, `sip:611@${PBX}:5060`);
	});
});
