/*
 * Callers for the door's end-to-end tests: sipp as handset 613 through the PBX (kamailio, with
 * proxy authentication), keying digits by SIP INFO, and a UDP socket on loopback to name in its
 * SDP as the RTP address.
 */

import dgram from "node:dgram";
import { writeFileSync } from "node:fs";
import type { Rig } from "../rig/index.js";

export const SIPP_USER = "613";
export const SIPP_PASSWORD = "sipp-613-geheim";


function inDialog(method: string, cseq: number, extra: string[], body = ""): string {
	return `
  <send>
    <![CDATA[
      ${method} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: "Sipp ${SIPP_USER}" <sip:${SIPP_USER}@fritz.box>;tag=[pid]SIPpTag[call_number]
      To: <sip:620@fritz.box>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Max-Forwards: 70
      Contact: <sip:${SIPP_USER}@[local_ip]:[local_port]>
${extra.map((h) => `      ${h}\n`).join("")}      Content-Length: [len]

${body}
    ]]>
  </send>
`;
}

function invite(cseq: number, auth: boolean): string {
	return `
  <send retrans="500">
    <![CDATA[
      INVITE sip:620@fritz.box SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Sipp ${SIPP_USER}" <sip:${SIPP_USER}@fritz.box>;tag=[pid]SIPpTag[call_number]
      To: <sip:620@fritz.box>
      Call-ID: [call_id]
      CSeq: ${cseq} INVITE
      Max-Forwards: 70
      Contact: <sip:${SIPP_USER}@[local_ip]:[local_port]>
${auth ? `      [authentication username=${SIPP_USER} password=${SIPP_PASSWORD}]\n` : ""}      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 4711 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [local_ip]
      t=0 0
      m=audio [rtp_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=ptime:20
      a=sendrecv
    ]]>
  </send>
`;
}

/**
 * INVITE (407, authenticated again), 200, ACK; then `middle` (INFO digits); then waits for the
 * door's BYE (the test hangs up through the simulator) and answers it.
 */
function scenario(name: string, middle: string): string {
	return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${name}">
${invite(1, false)}
  <recv response="100" optional="true"/>
  <recv response="407" auth="true"/>
  <send>
    <![CDATA[
      ACK sip:620@fritz.box SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3]
      From: "Sipp ${SIPP_USER}" <sip:${SIPP_USER}@fritz.box>;tag=[pid]SIPpTag[call_number]
      To: <sip:620@fritz.box>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
${invite(2, true)}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
${inDialog("ACK", 2, [])}
${middle}
  <recv request="BYE" timeout="30000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
`;
}

/** INFO requests for `digits` (CSeq from `firstCseq` up), one every 250 ms, each answered 200. */
export function infoDigits(digits: string, type: "application/dtmf-relay" | "application/dtmf", firstCseq = 3): string {
	let out = "";
	let cseq = firstCseq;
	for (const digit of digits) {
		const body = type === "application/dtmf-relay" ? `Signal=${digit}\r\nDuration=160` : digit;
		out += inDialog("INFO", cseq++, [`Content-Type: ${type}`], body);
		out += `  <recv response="200"/>\n  <pause milliseconds="250"/>\n`;
	}
	return out;
}

export async function sippCall(rig: Rig, name: string, middle: string, rtpPort: number) {
	const file = rig.dir.file(`${name}.xml`);
	writeFileSync(file, scenario(name, middle));
	return rig.sipp({ scenario: file, remote: rig.pbx, keys: { rtp_port: rtpPort }, timeoutS: 45 });
}

export async function udpSocket(): Promise<dgram.Socket> {
	const socket = dgram.createSocket("udp4");
	socket.on("message", () => {});
	await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
	return socket;
}
