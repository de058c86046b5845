/*
 * What a FRITZ!Box (FRITZ!OS 7.5x) sends the door, as the benchmarks and the fuzzer use it: the
 * INVITE of a DECT handset calling the door with its SDP, and the answers and requests of a
 * registration and a call. The addresses are the box's usual LAN ones; these messages are only
 * parsed, never sent anywhere.
 */

import { encodeUtf8 } from "../../modules/text.js";

function message(lines: string[], body = ""): string {
	return [...lines, `Content-Length: ${encodeUtf8(body).length}`, "", body].join("\r\n");
}

/** The offer of a DECT handset calling the door. */
export const FRITZBOX_SDP = [
	"v=0",
	"o=user 10392744 10392744 IN IP4 192.168.178.1",
	"s=call",
	"c=IN IP4 192.168.178.1",
	"t=0 0",
	"m=audio 7078 RTP/AVP 8 0 101",
	"a=rtpmap:8 PCMA/8000",
	"a=rtpmap:0 PCMU/8000",
	"a=rtpmap:101 telephone-event/8000",
	"a=fmtp:101 0-15",
	"a=sendrecv",
	"a=ptime:20",
	"",
].join("\r\n");

/** A DECT handset (611, "Küche") calls the door (620). */
export const FRITZBOX_INVITE = message(
	[
		"INVITE sip:620@192.168.178.30:5062;transport=udp SIP/2.0",
		"Via: SIP/2.0/UDP 192.168.178.1:5060;rport;branch=z9hG4bK2A9E1F6C4D3B8A71",
		"Record-Route: <sip:192.168.178.1;lr>",
		'From: "Küche" <sip:611@fritz.box>;tag=5B7C19E2A04D3F81',
		"To: <sip:620@fritz.box>",
		"Call-ID: 3F8A6C21D9E4B705@192.168.178.1",
		"CSeq: 102 INVITE",
		"Contact: <sip:611@192.168.178.1:5060;transport=udp>",
		"Max-Forwards: 70",
		"Allow: INVITE, ACK, OPTIONS, CANCEL, BYE, UPDATE, PRACK, INFO, SUBSCRIBE, NOTIFY, REFER, MESSAGE",
		"Supported: 100rel, replaces, timer",
		"User-Agent: AVM FRITZ!Box 7590 154.07.57 (Jan 22 2024)",
		"Content-Type: application/sdp",
	],
	FRITZBOX_SDP,
);

const DOOR_VIA = "Via: SIP/2.0/UDP 192.168.178.30:5062;rport=5062;received=192.168.178.30;branch=z9hG4bK-d8754z-7a1c2b3d";

/** The box's answers and requests around a registration and a call of the door. */
export const FRITZBOX_MESSAGES: readonly string[] = [
	FRITZBOX_INVITE,
	// The challenge to the first REGISTER (the Request-URI was the bare domain).
	message([
		"SIP/2.0 401 Unauthorized",
		DOOR_VIA,
		"From: <sip:620@fritz.box>;tag=3c26700e",
		"To: <sip:620@fritz.box>;tag=8C2E4F0A1B3D5E79",
		"Call-ID: 5f1d2c3b4a596877@192.168.178.30",
		"CSeq: 1 REGISTER",
		'WWW-Authenticate: Digest realm="fritz.box", nonce="6A1B7C2D3E4F5061", algorithm=MD5, qop="auth"',
		"User-Agent: FRITZ!OS",
	]),
	message([
		"SIP/2.0 200 OK",
		DOOR_VIA,
		"From: <sip:620@fritz.box>;tag=3c26700e",
		"To: <sip:620@fritz.box>;tag=8C2E4F0A1B3D5E79",
		"Call-ID: 5f1d2c3b4a596877@192.168.178.30",
		"CSeq: 2 REGISTER",
		"Contact: <sip:620@192.168.178.30:5062;transport=udp>;expires=60",
		"Expires: 60",
		"User-Agent: FRITZ!OS",
	]),
	// The door rang **610: the INVITE challenged, then ringing, early media and the answer.
	message([
		"SIP/2.0 407 Proxy Authentication Required",
		DOOR_VIA,
		"From: \"Haustür\" <sip:620@fritz.box>;tag=a7b8c9d0",
		"To: <sip:**610@fritz.box>;tag=0F1E2D3C4B5A6978",
		"Call-ID: 0d9c8b7a6f5e4d3c@192.168.178.30",
		"CSeq: 1 INVITE",
		'Proxy-Authenticate: Digest realm="fritz.box", nonce="7B2C8D3E4F506172", algorithm=MD5',
	]),
	message([
		"SIP/2.0 180 Ringing",
		DOOR_VIA,
		"From: \"Haustür\" <sip:620@fritz.box>;tag=a7b8c9d0",
		"To: <sip:**610@fritz.box>;tag=1A2B3C4D5E6F7081",
		"Call-ID: 0d9c8b7a6f5e4d3c@192.168.178.30",
		"CSeq: 2 INVITE",
		"Contact: <sip:**610@192.168.178.1:5060>",
	]),
	message(
		[
			"SIP/2.0 183 Session Progress",
			DOOR_VIA,
			"From: \"Haustür\" <sip:620@fritz.box>;tag=a7b8c9d0",
			"To: <sip:**610@fritz.box>;tag=1A2B3C4D5E6F7081",
			"Call-ID: 0d9c8b7a6f5e4d3c@192.168.178.30",
			"CSeq: 2 INVITE",
			"Contact: <sip:**610@192.168.178.1:5060>",
			"Content-Type: application/sdp",
		],
		FRITZBOX_SDP,
	),
	message(
		[
			"SIP/2.0 200 OK",
			DOOR_VIA,
			"Record-Route: <sip:192.168.178.1;lr>",
			"From: \"Haustür\" <sip:620@fritz.box>;tag=a7b8c9d0",
			"To: <sip:**610@fritz.box>;tag=1A2B3C4D5E6F7081",
			"Call-ID: 0d9c8b7a6f5e4d3c@192.168.178.30",
			"CSeq: 2 INVITE",
			"Contact: <sip:611@192.168.178.1:5060;transport=udp>",
			"Allow: INVITE, ACK, OPTIONS, CANCEL, BYE, UPDATE, PRACK, INFO",
			"Content-Type: application/sdp",
		],
		FRITZBOX_SDP.replace("m=audio 7078", "m=audio 7080"),
	),
	// The door key of a FRITZ!Fon: its code by SIP INFO in the call's dialog.
	message(
		[
			"INFO sip:620@192.168.178.30:5062 SIP/2.0",
			"Via: SIP/2.0/UDP 192.168.178.1:5060;rport;branch=z9hG4bK5C6D7E8F90A1B2C3",
			'From: "Küche" <sip:611@fritz.box>;tag=5B7C19E2A04D3F81',
			"To: <sip:620@fritz.box>;tag=door1",
			"Call-ID: 3F8A6C21D9E4B705@192.168.178.1",
			"CSeq: 103 INFO",
			"Contact: <sip:611@192.168.178.1:5060;transport=udp>",
			"Max-Forwards: 70",
			"Content-Type: application/dtmf-relay",
		],
		"Signal=1\r\nDuration=160\r\n",
	),
	message(
		[
			"INFO sip:620@192.168.178.30:5062 SIP/2.0",
			"Via: SIP/2.0/UDP 192.168.178.1:5060;rport;branch=z9hG4bK5C6D7E8F90A1B2C4",
			'From: "Küche" <sip:611@fritz.box>;tag=5B7C19E2A04D3F81',
			"To: <sip:620@fritz.box>;tag=door1",
			"Call-ID: 3F8A6C21D9E4B705@192.168.178.1",
			"CSeq: 104 INFO",
			"Max-Forwards: 70",
			"Content-Type: application/dtmf",
		],
		"#",
	),
	message([
		"OPTIONS sip:620@192.168.178.30:5062 SIP/2.0",
		"Via: SIP/2.0/UDP 192.168.178.1:5060;branch=z9hG4bK0A1B2C3D4E5F6071",
		"From: <sip:fritz.box>;tag=00112233",
		"To: <sip:620@192.168.178.30:5062>",
		"Call-ID: 7766554433221100@192.168.178.1",
		"CSeq: 1 OPTIONS",
		"Max-Forwards: 70",
		"Accept: application/sdp",
	]),
	message([
		"BYE sip:620@192.168.178.30:5062 SIP/2.0",
		"Via: SIP/2.0/UDP 192.168.178.1:5060;rport;branch=z9hG4bK9F8E7D6C5B4A3921",
		'From: "Küche" <sip:611@fritz.box>;tag=5B7C19E2A04D3F81',
		"To: <sip:620@fritz.box>;tag=door1",
		"Call-ID: 3F8A6C21D9E4B705@192.168.178.1",
		"CSeq: 105 BYE",
		"Max-Forwards: 70",
	]),
];
