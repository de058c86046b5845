/*
 * The audio of one call: every 20 ms (the frame clock, counted from the call's start) it drains
 * the socket, plays one frame from the jitter buffer to the speaker (with loss concealment and
 * the chime mixed in) and sends one frame from the microphone (with queued tones mixed in) as
 * G.711 over RTP. RFC 4733 digits from the latched peer go to `onDigit`. All buffers are made
 * by the constructor: a call's steady state allocates nothing here.
 *
 * Runs with any NativeAudio, a UdpSocket, the Clock port and optional AudioIn/AudioOut, so the
 * same code runs on the device, in the simulator, under XS on the host and in the specs.
 */

import type { AudioIn, AudioOut, Clock, Datagram, RandomBytes, UdpSocket } from "../modules/ports.js";
import type { NegotiatedMedia } from "../sip/sdp.js";
import { GAIN_UNITY, LAW_PCMA, LAW_PCMU, type NativeAudio } from "../modules/native-audio.js";
import type { RtpHeader } from "./rtp-packet.js";
import { RtpSession, type RtpCounters, type RtpReceiver } from "./rtp-session.js";
import { JitterBuffer, TAKE_CONCEAL, TAKE_FRAME } from "./jitter-buffer.js";
import { TelephoneEventDetector } from "./telephone-event.js";
import { FrameClock } from "./frame-clock.js";
import { FRAME_SAMPLES, MicPath, SpeakerPath } from "./audio-paths.js";
import { ToneQueue } from "./tone-queue.js";
import { EchoControl } from "./echo-control.js";
import type { Chime } from "./chime.js";

/** Gains for the concealment frames after a loss: the last good frame, fading out. */
const FADE = [GAIN_UNITY, 3072, 2048, 1024, 512];

export interface DigitSource {
	address: string;
	port: number;
}

export type DigitHandler = (digit: string, source: DigitSource) => void;

/** DTMF from a source other than the negotiated peer (see RtpReceiver.onForeignEvent); never the digit. */
export type ForeignDtmfHandler = (source: DigitSource, more: boolean) => void;

export interface MediaSessionOptions {
	audio: NativeAudio;
	socket: UdpSocket;
	clock: Clock;
	random: RandomBytes;
	mic?: AudioIn;
	speaker?: AudioOut;
	/** The door chime, mixed into the speaker while it plays. */
	chime?: Chime;
	/** Most frames run at once after the event loop was held up (default 5). */
	maxBurst?: number;
	/** Cancel the speaker's echo in the microphone (default on; needs both at the same rate). */
	echoControl?: boolean;
}

/** What /sipDebug shows of a session. */
export interface MediaStatus extends RtpCounters {
	running: boolean;
	remote: string;
	codec: string;
	direction: string;
	ssrc: number;
	remote_ssrc: number | null;
	jitter_ms: number;
	buffer_target_ms: number;
	buffer_depth_ms: number;
	frames_played: number;
	frames_lost: number;
	frames_late: number;
	frames_duplicate: number;
	frames_dropped: number;
	underruns: number;
	resyncs: number;
	bad_size: number;
	digits: number;
	event_repeats: number;
	frames_sent: number;
	frames_skipped: number;
	send_late_max_ms: number;
	send_late_mean_ms: number;
	mic_short_frames: number;
	echo_control: boolean;
	last_drop: string;
}

export class MediaSession implements RtpReceiver {
	/** RFC 4733 digits from the latched peer (the source object is reused; copy it to keep it). */
	onDigit: DigitHandler | undefined;
	/** Telephone-events from elsewhere: once per source, at most a few per call (the door opener records them). */
	onForeignDtmf: ForeignDtmfHandler | undefined;
	readonly rtp: RtpSession;
	readonly jitter = new JitterBuffer();
	readonly events = new TelephoneEventDetector();
	readonly clock: FrameClock;
	readonly tones: ToneQueue;
	#audio: NativeAudio;
	#socket: UdpSocket;
	#mic: MicPath | undefined;
	#speaker: SpeakerPath | undefined;
	#echo: EchoControl | undefined;
	#law = LAW_PCMU;
	#codec = "";
	#direction = "inactive";
	#sending = false;
	#receiving = false;
	#marker = true;
	#concealed = 0;
	#rx = new Int16Array(FRAME_SAMPLES);
	#last = new Int16Array(FRAME_SAMPLES);
	#tx = new Int16Array(FRAME_SAMPLES);
	#toneFrame = new Int16Array(FRAME_SAMPLES);
	#txMixed = new Int16Array(FRAME_SAMPLES);
	#lastSources: Int16Array[];
	#fadeGain = [GAIN_UNITY];
	#txSources: Int16Array[];
	#txGains = [GAIN_UNITY, GAIN_UNITY];
	readonly #frame = (frame: number) => this.#onFrame(frame);

	constructor(options: MediaSessionOptions) {
		this.#audio = options.audio;
		this.#socket = options.socket;
		this.rtp = new RtpSession(options.socket, options.random, options.clock, FRAME_SAMPLES, options.audio);
		this.clock = new FrameClock(options.clock, 20, options.maxBurst ?? 5);
		this.tones = new ToneQueue(options.audio);
		const { mic, speaker } = options;
		if (options.echoControl !== false && mic && speaker && mic.sampleRate === speaker.sampleRate) {
			this.#echo = new EchoControl(options.audio, mic.sampleRate, mic.sampleRate / 50);
		}
		if (mic) this.#mic = new MicPath(options.audio, mic, this.#echo);
		if (speaker) this.#speaker = new SpeakerPath(options.audio, speaker, options.chime, this.#echo);
		this.#lastSources = [this.#last];
		this.#txSources = [this.#tx, this.#toneFrame];
	}

	get running(): boolean {
		return this.clock.running;
	}

	/** Starts sending and playing for `media`; frame 0 is due at `startAt` (the call's start, default now). */
	start(media: NegotiatedMedia, startAt?: number): void {
		this.update(media);
		this.#marker = true;
		this.clock.start(this.#frame, startAt);
	}

	/** New media from a re-INVITE or UPDATE: peer, codec, payload types, direction. */
	update(media: NegotiatedMedia): void {
		const hadPeer = this.rtp.hasPeer;
		this.rtp.configure(media);
		this.#law = media.codec === "PCMA" ? LAW_PCMA : LAW_PCMU;
		this.jitter.silence = this.#law === LAW_PCMA ? 0xd5 : 0xff;
		this.#codec = media.codec;
		this.#direction = media.direction;
		const sending = media.direction === "sendrecv" || media.direction === "sendonly";
		// A talk spurt starts when sending starts again or the peer comes back from hold.
		if (sending && (!this.#sending || !hadPeer)) this.#marker = true;
		this.#sending = sending;
		this.#receiving = media.direction === "sendrecv" || media.direction === "recvonly";
	}

	stop(): void {
		this.clock.stop();
		this.tones.clear();
	}

	/** Packets are waiting on the socket. */
	readable(): void {
		this.rtp.receive(this);
	}

	/** One datagram from a socket that the owner reads itself. */
	accept(datagram: Datagram): void {
		this.rtp.accept(datagram, this);
	}

	/** Queues a tone for the caller to hear (0 Hz: a pause). */
	tone(frequencyHz: number, ms: number): boolean {
		return this.tones.add(frequencyHz, ms);
	}

	onAudio(packet: Uint8Array, header: RtpHeader, arrivalMs: number): void {
		if (this.#receiving) this.jitter.put(packet, header.payloadOffset, header.payloadLength, header.timestamp, arrivalMs);
	}

	onEvent(packet: Uint8Array, header: RtpHeader): void {
		const digit = this.events.feed(packet, header.payloadOffset, header.payloadLength, header.timestamp);
		if (digit !== "") this.onDigit?.(digit, this.rtp.peer);
	}

	onNewSource(): void {
		this.jitter.reset();
		this.events.reset();
	}

	onForeignEvent(address: string, port: number, more: boolean): void {
		this.onForeignDtmf?.({ address, port }, more);
	}

	#onFrame(frame: number): void {
		this.rtp.receive(this);
		this.#play();
		if (this.#sending && this.rtp.hasPeer) this.#send(frame);
	}

	#play(): void {
		const audio = this.#audio;
		const rx = this.#rx;
		let result = 0;
		if (this.#receiving) result = this.jitter.take();
		if (result === TAKE_FRAME) {
			audio.decode(this.#law, this.jitter.frame, rx);
			this.#last.set(rx);
			this.#concealed = 0;
		} else if (result === TAKE_CONCEAL && this.#concealed + 1 < FADE.length) {
			this.#fadeGain[0] = FADE[++this.#concealed];
			audio.mix(rx, this.#lastSources, this.#fadeGain);
		} else {
			if (result === TAKE_CONCEAL) this.#concealed++;
			rx.fill(0);
		}
		this.#speaker?.play(rx);
	}

	#send(frame: number): void {
		const audio = this.#audio;
		if (this.#mic) this.#mic.read(this.#tx);
		else this.#tx.fill(0);
		let pcm = this.#tx;
		if (this.tones.playing && this.tones.fill(this.#toneFrame)) {
			audio.mix(this.#txMixed, this.#txSources, this.#txGains);
			pcm = this.#txMixed;
		}
		audio.encode(this.#law, pcm, this.rtp.payload);
		this.rtp.send(this.#marker, (this.rtp.timestampOrigin + frame * FRAME_SAMPLES) >>> 0);
		this.#marker = false;
	}

	/** A snapshot for the status page. */
	status(): MediaStatus {
		const j = this.jitter, c = j.counters, clock = this.clock;
		return {
			running: this.running,
			remote: `${this.rtp.peer.address}:${this.rtp.peer.port}`,
			codec: this.#codec,
			direction: this.#direction,
			ssrc: this.rtp.ssrc,
			remote_ssrc: this.rtp.remoteSsrc ?? null,
			...this.rtp.counters,
			jitter_ms: Math.round(j.jitterMs * 10) / 10,
			buffer_target_ms: j.targetFrames * 20,
			buffer_depth_ms: j.depth * 20,
			frames_played: c.played,
			frames_lost: c.lost,
			frames_late: c.late,
			frames_duplicate: c.duplicates,
			frames_dropped: c.dropped,
			underruns: c.underruns,
			resyncs: c.resyncs,
			bad_size: c.badSize,
			digits: this.events.events,
			event_repeats: this.events.repeats,
			frames_sent: this.rtp.counters.packets_sent,
			frames_skipped: clock.skipped,
			send_late_max_ms: Math.round(clock.lateMax * 10) / 10,
			send_late_mean_ms: clock.ran ? Math.round((clock.lateTotal / clock.ran) * 10) / 10 : 0,
			mic_short_frames: this.#mic?.short ?? 0,
			echo_control: this.#echo !== undefined,
			last_drop: this.rtp.lastDrop,
		};
	}

	/** The socket the session reads and writes. */
	get socket(): UdpSocket {
		return this.#socket;
	}
}
