/*
 * Fixes found by running the simulator against real SIP software and the RFC 4475 messages
 * over UDP (test/e2e, test/host/torture.test.ts), each pinned down here on the portable core.
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness, PBX, LOCAL, inboundInvite } from "../lib/ua-harness.js";
import { parseSdp } from "../../sip/sdp.js";

group("interop fixes", () => {
	test("a response with a malformed status line (RFC 4475 bigcode) is dropped, never answered with 400", () => {
		const h = new UaHarness();
		h.deliver(
			[
				"SIP/2.0 4294967301 better not break the receiver",
				"Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe",
				"Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i",
				"CSeq: 353494 INVITE",
				"From: <sip:user@example.com>;tag=39ansfi3",
				"To: <sip:user@example.edu>;tag=902jndnke3",
				"Content-Length: 0",
				"",
				"",
			].join("\n"),
		);
		assert.equal(h.socket.take().length, 0);
		assert.equal(h.transport.rejected, 1);
		assert.match(h.transport.lastRejection, /malformed start line/);
	});

	test("a request with a malformed request line still gets 400", () => {
		const h = new UaHarness();
		h.deliver(["INVITE sip:user@example.com; lr SIP/2.0", `Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKbadline`, "From: <sip:a@example.com>;tag=1", "To: <sip:620@fritz.box>", "Call-ID: badline", "CSeq: 1 INVITE", "Content-Length: 0", "", ""].join("\n"));
		const sent = h.socket.take();
		assert.equal(sent.length, 1);
		assert.match(sent[0].text, /^SIP\/2\.0 400 /);
	});

	test("an offer with an rtpmap lacking its clock rate on another stream (RFC 4475 esc01) is answered, not refused with 400", () => {
		const offer = ["v=0", "o=mhandley 29739 7272939 IN IP4 127.0.2.1", "s=-", "c=IN IP4 127.0.2.1", "t=0 0", "m=audio 49217 RTP/AVP 0 12", "m=video 3227 RTP/AVP 31", "a=rtpmap:31 LPC", ""].join("\r\n");
		const sdp = parseSdp(offer);
		assert.equal(sdp.media.length, 2);
		assert.equal(sdp.media[1].rtpmap.size, 0, "the unusable rtpmap is skipped");
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite({ body: offer }));
		const [trying, ok] = h.sent();
		assert.equal(trying.status, 100);
		assert.equal(ok.status, 200);
		assert.match(ok.body, /m=audio \d+ RTP\/AVP 0\r\n/, "PCMU from the audio stream");
		assert.match(ok.body, /m=video 0 RTP\/AVP 31\r\n/, "the video stream refused with port 0");
	});

	test("423 Interval Too Brief (kamailio min_expires_mode 1): the Min-Expires is asked for again at every refresh, not 120 then 423 each time", () => {
		const h = new UaHarness();
		h.ua.start();
		const first = h.one();
		assert.equal(first.header("expires"), "120");
		h.answer(first, 423, "Interval Too Brief", { toTag: "r1", headers: ["Min-Expires: 300"] });
		const second = h.one();
		assert.equal(second.header("expires"), "300");
		h.answer(second, 200, "OK", { toTag: "r1", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=300`] });
		assert.equal(h.ua.registration.granted, 300);
		h.clock.advance(60_000);
		const refresh = h.one();
		assert.equal(refresh.header("expires"), "300", "the refresh asks for the Min-Expires at once");
		assert.equal(refresh.header("call-id"), first.header("call-id"));
	});

	test("a 423 whose Min-Expires is not above what was asked ends the attempt instead of looping", () => {
		const h = new UaHarness();
		h.ua.start();
		const first = h.one();
		h.answer(first, 423, "Interval Too Brief", { toTag: "r1", headers: ["Min-Expires: 120"] });
		assert.equal(h.sent().length, 0, "no second REGISTER right away");
		assert.equal(h.ua.registration.state, "failed");
		assert.match(h.ua.registration.lastError, /423/);
	});
});
