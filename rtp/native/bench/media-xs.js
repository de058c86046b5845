/*
 * On the XS test host: one call's steady state through the portable media code
 * (build/rtp/media-session.js, compiled by tsc) with the real XS binding: every 20 ms one RTP
 * packet in (from the latched peer) and one out, a 16 kHz microphone and a 16 kHz speaker.
 * Three calls one after the other: µ-law (the microphone downsampled, the speaker upsampled),
 * G.722 (16 kHz end to end), each with the echo canceller in the path, and G.722 without it.
 * Measures, over 1,000 frames after a warm-up, the JS heap in use (slots and chunk bytes; no
 * collection may run in between for the figure to count every allocation), what is left after a
 * collection, XS computrons per frame, and the JS heap the first call's session keeps. Prints one JSON line per call.
 */
import { MediaSession } from "../../../build/rtp/media-session.js";
import { G722_STATE_SAMPLES } from "../../../build/modules/native-audio.js";
import * as audio from "../audio-xs.js";
import { nativeBlocks } from "../test/reference-xs.js";

const WARMUP = 200, FRAMES = 1000, TOTAL = WARMUP + FRAMES;
const PEER = "127.0.0.1", PEER_PORT = 40000;

// A clock that moves when told, with a few timer slots (the session's two frame clocks keep one
// timer each).
let now = 0;
const timers = [undefined, undefined, undefined, undefined], timerAt = [0, 0, 0, 0];
const clock = {
	now: () => now,
	setTimeout(callback, ms) {
		for (let i = 0; i < timers.length; i++) {
			if (timers[i] === undefined) {
				timers[i] = callback;
				timerAt[i] = now + ms;
				return i + 1;
			}
		}
		throw new Error("more timers than the fake clock has slots");
	},
	clearTimeout(id) { if (id) timers[id - 1] = undefined; },
	setInterval() { throw new Error("not used"); },
	clearInterval() {},
};

/** Runs the timers of the next 20 ms, in time order, from the first one due. */
function runFrame() {
	let first = Infinity;
	for (let i = 0; i < timers.length; i++) if (timers[i] !== undefined && timerAt[i] < first) first = timerAt[i];
	const end = first + 20;
	for (;;) {
		let k = -1;
		for (let i = 0; i < timers.length; i++) if (timers[i] !== undefined && timerAt[i] < end && (k < 0 || timerAt[i] < timerAt[k])) k = i;
		if (k < 0) return;
		now = timerAt[k];
		const fire = timers[k];
		timers[k] = undefined;
		fire();
	}
}

// The microphone: 50 frames of a 440 Hz tone at 16 kHz, made up front, copied with set().
const micFrames = [];
{
	const state = new Int32Array(8);
	audio.toneInit(state, 440, 16000, 10000);
	for (let i = 0; i < 50; i++) {
		const frame = new Int16Array(320);
		audio.toneFill(state, frame);
		micFrames.push(frame);
	}
}

/** The peer's packets, made up front: a 12-byte header + 160 bytes of a 1 kHz tone (µ-law or G.722). */
function peerPackets(wide) {
	const packets = [];
	const tone = new Int32Array(8), pcm = new Int16Array(wide ? 320 : 160), g722 = new Int16Array(G722_STATE_SAMPLES);
	audio.toneInit(tone, 1000, wide ? 16000 : 8000, 12000);
	for (let i = 0; i < TOTAL; i++) {
		const datagram = new ArrayBuffer(172);
		const bytes = new Uint8Array(datagram);
		// G.722's RTP clock runs at 8000 although its audio is 16 kHz (RFC 3551): 160 per frame either way.
		const seq = (1000 + i) & 0xffff, ts = (5000 + i * 160) >>> 0, ssrc = 0x12345678;
		bytes[0] = 0x80; bytes[1] = (i === 0 ? 0x80 : 0x00) | (wide ? 9 : 0);
		bytes[2] = seq >> 8; bytes[3] = seq & 0xff;
		bytes[4] = ts >>> 24; bytes[5] = (ts >>> 16) & 0xff; bytes[6] = (ts >>> 8) & 0xff; bytes[7] = ts & 0xff;
		bytes[8] = ssrc >>> 24; bytes[9] = (ssrc >>> 16) & 0xff; bytes[10] = (ssrc >>> 8) & 0xff; bytes[11] = ssrc & 0xff;
		audio.toneFill(tone, pcm);
		if (wide) audio.g722Encode(g722, pcm, bytes.subarray(12));
		else audio.encode(0, pcm, bytes.subarray(12));
		datagram.address = PEER;
		datagram.port = PEER_PORT;
		packets.push(datagram);
	}
	return packets;
}

function measure(codec, echoControl) {
	const wide = codec === "G722";
	const incoming = peerPackets(wide);
	let delivered = 0, pending = undefined, sent = 0, sentBytes = 0, micFrame = 0, played = 0;
	const socket = {
		port: 30000,
		read() { const d = pending; pending = undefined; return d; },
		write(data, address, port) { sent++; sentBytes += data.byteLength; },
		close() {},
	};
	const mic = {
		sampleRate: 16000,
		read(target) {
			target.set(micFrames[micFrame]);
			micFrame = micFrame === 49 ? 0 : micFrame + 1;
			return target.length;
		},
		close() {},
	};
	const speaker = { sampleRate: 16000, write(samples) { played += samples.length; }, close() {} };
	let seed = 7;
	const random = (target) => { for (let i = 0; i < target.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; target[i] = seed >>> 24; } };

	gc();
	const sessionSlots0 = heapSlots(), sessionChunks0 = heapChunkBytes();
	const session = new MediaSession({ audio, socket, clock, random, mic, speaker, echoControl });
	session.start({ remoteAddress: PEER, remotePort: PEER_PORT, payloadType: wide ? 9 : 0, codec, receivePayloadType: wide ? 9 : 0, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime: 20 }, 0);

	function step() {
		pending = incoming[delivered++];
		runFrame();
	}

	for (let i = 0; i < WARMUP; i++) step();
	gc();
	const slots0 = heapSlots(), chunks0 = heapChunkBytes(), sent0 = sent;
	heapPeakReset();
	const meter0 = computrons();
	for (let i = 0; i < FRAMES; i++) step();
	const meter1 = computrons(), slots1 = heapSlots(), chunks1 = heapChunkBytes(), peak = heapPeakSlots(), sent1 = sent;
	const nativeBytes = nativeBlocks()[2];
	gc();
	const slots2 = heapSlots(), chunks2 = heapChunkBytes();
	const status = session.status();
	session.stop();
	// What the driver itself costs per frame (fake socket, mic, speaker, clock), to subtract.
	const frame = new Int16Array(320), outgoing = new Uint8Array(172);
	// Two timers that only re-arm, as the session's two clocks do, through the same fake clock.
	const rearmA = () => clock.setTimeout(rearmA, 20), rearmB = () => clock.setTimeout(rearmB, 20);
	clock.setTimeout(rearmA, 20);
	clock.setTimeout(rearmB, 20);
	function driverOnly() {
		pending = incoming[delivered++ % TOTAL];
		runFrame();
		socket.read();
		mic.read(frame);
		speaker.write(frame);
		socket.write(outgoing, PEER, PEER_PORT);
	}
	for (let i = 0; i < 100; i++) driverOnly();
	const meter2 = computrons();
	for (let i = 0; i < FRAMES; i++) driverOnly();
	const driverPerFrame = (computrons() - meter2) / FRAMES;
	timers.fill(undefined);
	return {
		codec,
		echoControl: status.echo_control ?? echoControl,
		// The JS heap the running session keeps (after the warm-up and a collection); exact for the
		// first call only: XS keeps the last instance of a class with private methods alive until
		// the next one is made, so a later call's figure is its difference from the one before.
		sessionSlots: slots0 - sessionSlots0,
		sessionChunkBytes: chunks0 - sessionChunks0,
		// The native memory the binding holds in the call (the echo canceller's state), outside the JS heap.
		nativeBytes,
		frames: FRAMES,
		packetsIn: FRAMES,
		packetsOut: sent1 - sent0,
		collected: peak > slots1, // a collection ran: slotsAllocated is then only a lower bound
		peakSlotGrowth: peak - slots0,
		slotsAllocated: slots1 - slots0,
		chunkBytesAllocated: chunks1 - chunks0,
		slotsRetained: slots2 - slots0,
		chunkBytesRetained: chunks2 - chunks0,
		computronsPerFrame: (meter1 - meter0) / FRAMES,
		driverComputronsPerFrame: driverPerFrame,
		framesPlayed: status.frames_played,
		framesLost: status.frames_lost,
		audioReceived: status.audio_received,
		played,
	};
}

const calls = [measure("PCMU", true), measure("G722", true), measure("G722", false)];
// Two XS costs that explain such allocations, measured the same way: a Uint8Array view of a
// received datagram (what RtpSession.accept made per packet before it read datagrams with
// copyBytes into its receive buffer), and evaluating a string literal
// (XS copies literals of code parsed at run time into the heap; code in a device archive not).
const datagrams = peerPackets(false);
function allocatedBy(body) {
	gc();
	const slots = heapSlots(), chunks = heapChunkBytes();
	for (let i = 0; i < 1000; i++) body(datagrams[i]);
	return { slots: (heapSlots() - slots) / 1000, chunkBytes: (heapChunkBytes() - chunks) / 1000 };
}
const viewCost = allocatedBy((datagram) => new Uint8Array(datagram));
const literalCost = allocatedBy(() => "");
print(JSON.stringify({ calls, viewCost, literalCost }));
