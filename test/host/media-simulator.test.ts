// The simulator process with --mic tone:440 and --speaker FILE, called by a scripted PBX and
// handset on loopback: the handset's 1 kHz tone ends up in the speaker recording, the
// simulator's 440 Hz tone reaches the handset, and RFC 4733 "123" from the handset's SDP address
// pulses the virtual relay. The same checks the baresip end-to-end tests make, without baresip.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSip, type SipMessage } from "../../sip/message.js";
import { buildResponse } from "../../sip/serializer.js";
import { encodeUtf8 } from "../../modules/text.js";
import { loadNativeAudio } from "../../modules/host/native-audio.js";
import { readWav } from "../../modules/host/wav.js";
import { LAW_PCMU, TONE_STATE_WORDS } from "../../modules/native-audio.js";
import { RtpHeader, parseRtp, writeRtpHeader } from "../../rtp/rtp-packet.js";
import { writeTelephoneEvent } from "../../rtp/telephone-event.js";
import { zeroCrossingFrequency, toneShare } from "../lib/rtp-fixtures.js";
import { guardReports, spawnSimulator } from "../lib/simulator-process.js";

const HOST = "127.0.0.1";
const audio = loadNativeAudio();

function bind(): Promise<dgram.Socket> {
	return new Promise((resolve) => {
		const socket = dgram.createSocket("udp4");
		socket.bind(0, HOST, () => resolve(socket));
	});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("the simulator's audio path: 1 kHz in, 440 Hz out, RFC 4733 123 opens, the WAV is finished on exit", async () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-sim-media-"));
	const pbx = await bind();
	const handset = await bind();
	const sipProbe = await bind();
	const sipPort = sipProbe.address().port;
	sipProbe.close();
	const settings = join(dir, "settings.json"), wav = join(dir, "speaker.wav");
	writeFileSync(settings, JSON.stringify({ sip: { sip_user: "620", sip_password: "secret", sip_server: HOST, sip_port: pbx.address().port } }));
	const child = spawnSimulator(settings, ["--http", "0", "--sip-port", String(sipPort), "--mic", "tone:440", "--speaker", wav]);
	let output = "";
	child.stdout.on("data", (chunk) => (output += chunk));
	child.stderr.on("data", (chunk) => (output += chunk));
	const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
	try {
		const responses: SipMessage[] = [];
		let simulator = { address: HOST, port: 0 };
		pbx.on("message", (data, info) => {
			const message = parseSip(new Uint8Array(data));
			simulator = { address: info.address, port: info.port };
			if (message.method === "REGISTER") pbx.send(buildResponse(message, 200, "OK", { toTag: "reg", headers: [`Contact: <sip:620@${HOST}:${info.port}>;expires=300`] }), info.port, info.address);
			else if (message.method) pbx.send(buildResponse(message, 200, "OK"), info.port, info.address);
			else responses.push(message);
		});
		const received: Array<{ header: RtpHeader; payload: Uint8Array }> = [];
		handset.on("message", (data) => {
			const bytes = new Uint8Array(data);
			const header = new RtpHeader();
			if (parseRtp(bytes, bytes.length, header) === "") received.push({ header, payload: bytes.slice(header.payloadOffset, header.payloadOffset + header.payloadLength) });
		});
		for (let i = 0; i < 100 && !/registration registered/.test(output); i++) await sleep(50);
		assert.match(output, /registration registered/, output);

		// A handset calls the door through the PBX, its RTP on the handset socket.
		const rtpPort = handset.address().port;
		const sdp = ["v=0", `o=- 1 1 IN IP4 ${HOST}`, "s=-", `c=IN IP4 ${HOST}`, "t=0 0", `m=audio ${rtpPort} RTP/AVP 0 101`, "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=ptime:20", "a=sendrecv", ""].join("\r\n");
		const pbxPort = pbx.address().port;
		const request = (method: string, cseq: number, branch: string, to: string, extra: string[] = [], content = "") =>
			[`${method} sip:620@${HOST}:${simulator.port} SIP/2.0`, `Via: SIP/2.0/UDP ${HOST}:${pbxPort};branch=${branch}`, "Max-Forwards: 70", `From: "Handset" <sip:611@${HOST}>;tag=h1`, `To: ${to}`, "Call-ID: media-sim-1", `CSeq: ${cseq} ${method}`, `Contact: <sip:611@${HOST}:${pbxPort}>`, ...extra, `Content-Length: ${encodeUtf8(content).length}`, "", content].join("\r\n");
		pbx.send(request("INVITE", 1, "z9hG4bKi1", `<sip:620@${HOST}>`, ["Content-Type: application/sdp"], sdp), simulator.port, simulator.address);
		let ok: SipMessage | undefined;
		for (let i = 0; i < 100 && !ok; i++) {
			await sleep(20);
			ok = responses.find((r) => r.status === 200);
		}
		assert.ok(ok, `200 OK to the INVITE\n${output}`);
		const answerPort = Number(/m=audio (\d+) /.exec(ok.body)?.[1]);
		const to = ok.header("to")!;
		pbx.send(request("ACK", 1, "z9hG4bKa1", to), simulator.port, simulator.address);

		// 1.6 s of a 1 kHz tone from the handset, with the digits 1 2 3 in the middle (interleaved, as baresip does).
		const tone = new Int32Array(TONE_STATE_WORDS), pcm = new Int16Array(160);
		audio.toneInit(tone, 1000, 8000, 10000);
		const packet = new Uint8Array(172);
		let seq = 1, ts = 0;
		const start = performance.now();
		for (let n = 0; n < 80; n++) {
			audio.toneFill(tone, pcm);
			audio.encode(LAW_PCMU, pcm, packet.subarray(12));
			writeRtpHeader(packet, n === 0, 0, seq++, ts, 0x1234);
			handset.send(packet, answerPort, HOST);
			const key = Math.floor((n - 20) / 10);
			if (n >= 20 && key < 3 && (n - 20) % 10 < 6) {
				const event = new Uint8Array(16);
				writeRtpHeader(event, (n - 20) % 10 === 0, 101, seq++, 160 * (20 + key * 10), 0x1234);
				writeTelephoneEvent(event, 12, key + 1, (n - 20) % 10 >= 3, 10, 160 * (((n - 20) % 10) + 1));
				handset.send(event.subarray(0, 16), answerPort, HOST);
			}
			ts += 160;
			const wait = start + (n + 1) * 20 - performance.now();
			if (wait > 0) await sleep(wait);
		}
		await sleep(1200);
		assert.match(output, /relay: OFF after \d+ ms/, `the door opened\n${output}`);
		pbx.send(request("BYE", 2, "z9hG4bKb1", to), simulator.port, simulator.address);
		await sleep(200);

		// What the simulator sent: its 440 Hz mic.
		assert.ok(received.length >= 70, `${received.length} packets from the simulator`);
		assert.ok(received.every((r) => r.header.payloadType === 0 && r.payload.length === 160));
		const heard = new Int16Array(received.length * 160);
		for (let i = 0; i < received.length; i++) audio.decode(LAW_PCMU, received[i].payload, heard.subarray(i * 160, (i + 1) * 160));
		// Before the digits: the mic alone; after the third digit the confirm beeps (1200 Hz) are mixed in.
		const f440 = zeroCrossingFrequency(heard, 8000, 320, 20 * 160);
		assert.ok(Math.abs(f440 - 440) <= 8.8, `the handset heard ${f440.toFixed(1)} Hz`);
		let beeps = 0;
		for (let i = 40; i + 1 < received.length; i++) if (toneShare(heard, 8000, 1200, i * 160, (i + 1) * 160) > 0.3) beeps++;
		assert.ok(beeps >= 6, `${beeps} frames of the confirm tone`);

		// The speaker recording, finished at the call's end: the handset's 1 kHz.
		const recording = readWav(wav);
		assert.equal(recording.sampleRate, 16000, "the door's speaker rate; a G.711 call upsampled");
		assert.ok(recording.samples.length >= 60 * 320, `${recording.samples.length} samples recorded`);
		const f1000 = zeroCrossingFrequency(recording.samples, 16000, 3200, 60 * 320);
		assert.ok(Math.abs(f1000 - 1000) <= 20, `the speaker recorded ${f1000.toFixed(1)} Hz`);
		child.stdin.write("q\n");
		assert.equal(await exited, 0, output);
		assert.deepEqual(guardReports(output), [], "everything it sent was for 127.0.0.0/8");
		assert.equal(readWav(wav).samples.length >= recording.samples.length, true);
	} finally {
		if (child.exitCode === null) child.kill();
		await exited;
		pbx.close();
		handset.close();
		rmSync(dir, { recursive: true, force: true });
	}
});
