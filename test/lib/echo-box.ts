/*
 * A door's box for echo control tests: what its 16 kHz speaker plays comes back into its
 * microphone, and a call through it to a handset that says 440 Hz.
 */
import { MediaSession } from "../../rtp/media-session.js";
import type { NativeAudio } from "../../modules/native-audio.js";
import type { AudioIn, AudioOut } from "../../modules/ports.js";
import type { NegotiatedMedia } from "../../sip/sdp.js";
import { FakeClock } from "./fake-clock.js";
import { seededRandom } from "./fake-udp.js";
import { MemoryUdp, ToneMic, RecordingSpeaker } from "./rtp-fixtures.js";

/**
 * The door's box at 16 kHz: what the speaker plays comes back into the microphone 12 samples
 * later at half the level, on top of the door's own sound (a 700 Hz tone, or silence).
 */
export class Box {
	readonly played: number[] = [];
	#read = 0;
	#doorHz: number;
	readonly speaker: AudioOut;
	readonly mic: AudioIn;

	constructor(doorHz: number) {
		this.#doorHz = doorHz;
		this.speaker = { sampleRate: 16000, write: (samples) => this.#write(samples), close() {} };
		this.mic = { sampleRate: 16000, read: (target) => this.#fill(target), close() {} };
	}

	#write(samples: Int16Array): void {
		for (let i = 0; i < samples.length; i++) this.played.push(samples[i]);
	}

	#fill(target: Int16Array): number {
		for (let i = 0; i < target.length; i++, this.#read++) {
			const at = this.#read - 12;
			const echo = at >= 0 && at < this.played.length ? this.played[at] / 2 : 0;
			const door = this.#doorHz ? 6000 * Math.sin((2 * Math.PI * this.#doorHz * this.#read) / 16000) : 0;
			target[i] = Math.round(echo + door);
		}
		return target.length;
	}
}

function media(to: MemoryUdp): NegotiatedMedia {
	return { remoteAddress: to.address, remotePort: to.port, payloadType: 0, codec: "PCMU", receivePayloadType: 0, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime: 20 };
}

/** The door (A, in its box) and a handset (B, saying 440 Hz) for 2 s; what the handset hears. */
export function callThroughBox(echoControl: boolean | undefined, doorHz: number, audio: NativeAudio, handsetMic: AudioIn = new ToneMic(audio, 440, 8000, 12000)): { heard: number[]; door: MediaSession } {
	const clock = new FakeClock();
	const sa = new MemoryUdp(40000, "127.0.0.1"), sb = new MemoryUdp(40002, "127.0.0.2");
	sa.peer = sb;
	sb.peer = sa;
	const box = new Box(doorHz);
	const handsetSpeaker = new RecordingSpeaker(8000);
	const door = new MediaSession({ audio, socket: sa, clock, random: seededRandom(11), mic: box.mic, speaker: box.speaker, echoControl });
	const handset = new MediaSession({ audio, socket: sb, clock, random: seededRandom(12), mic: handsetMic, speaker: handsetSpeaker });
	sa.onReadable = () => door.readable();
	sb.onReadable = () => handset.readable();
	door.start(media(sb));
	handset.start(media(sa));
	clock.advance(2000);
	door.stop();
	handset.stop();
	return { heard: handsetSpeaker.samples, door };
}


/** A handset's voice as broadband noise at 8 kHz (a 32-bit LCG), the level of loud speech. */
export class NoiseMic implements AudioIn {
	readonly sampleRate = 8000;
	#seed = 99;

	read(target: Int16Array): number {
		for (let i = 0; i < target.length; i++) {
			this.#seed = (Math.imul(this.#seed, 1664525) + 1013904223) >>> 0;
			target[i] = ((this.#seed >>> 20) - 2048) * 4;
		}
		return target.length;
	}

	close(): void {}
}
