/*
 * The audio of one call: every 20 ms (the playout clock) it drains the socket and plays one
 * frame from the jitter buffer to the speaker (with loss concealment and the chime mixed in), and
 * every 20 ms (the frame clock, counted from the call's start) it codes one frame from the
 * microphone (with queued tones mixed in) for RTP. The playout clock runs 4 ms ahead of the
 * frame clock from the start (its frame 0 with the frame clock's, before it), so the echo
 * canceller's reference (the frame played) comes before the microphone frame it is for.
 * Once the stream's first 200 ms (later: a second) have shown that every frame waited in the
 * jitter buffer longer than its margin, the playout clock runs that much sooner (the phase
 * between the peer's packets and the ticks, 0-20 ms, random per call), at most 16 ms ahead of
 * the frame clock in all; the microphone stays on its own clock, so its frames stay whole. Audio
 * is coded as G.711 at 8 kHz, or G.722 at 16 kHz (no rate conversion with a 16 kHz microphone
 * and speaker). Both code 8 bytes per ms with an RTP clock of 8000, so the jitter buffer and the
 * timestamps are the same for both. Coded audio leaves in packets of the peer's a=ptime (10 to
 * 60 ms): with 10 ms the frame's second half follows 10 ms after its first (a receiver's jitter
 * buffer takes two packets at once badly), with 30 ms one packet leaves at every 1.5 frames.
 * RFC 4733 digits from the latched peer go to `onDigit`. All buffers are made by the
 * constructor: a call's steady state allocates nothing here.
 *
 * Runs with any NativeAudio, a UdpSocket, the Clock port and optional AudioIn/AudioOut, so the
 * same code runs on the device, in the simulator, under XS on the host and in the specs.
 */

import type { AudioIn, AudioOut, Clock, Datagram, RandomBytes, TimerId, UdpSocket } from "../modules/ports.js";
import { MAX_PTIME_MS, type NegotiatedMedia } from "../sip/sdp.js";
import { G722_STATE_SAMPLES, GAIN_UNITY, LAW_PCMA, LAW_PCMU, RESAMPLER_STATE_SAMPLES, type NativeAudio } from "../modules/native-audio.js";
import type { RtpHeader } from "./rtp-packet.js";
import { RtpSession, type RtpCounters, type RtpReceiver } from "./rtp-session.js";
import { JitterBuffer, TAKE_CONCEAL, TAKE_FRAME } from "./jitter-buffer.js";
import { TelephoneEventDetector } from "./telephone-event.js";
import { FrameClock } from "./frame-clock.js";
import { MicPath, SpeakerPath } from "./audio-paths.js";
import { CallFrame, FRAME_SAMPLES, WIDE_FRAME_SAMPLES } from "./call-frame.js";
import { ToneQueue } from "./tone-queue.js";
import { EchoControl } from "./echo-control.js";
import type { Chime } from "./chime.js";

/** Coded bytes per ms (G.711 and G.722 alike), and per frame. */
const BYTES_PER_MS = 8;
const FRAME_BYTES = FRAME_SAMPLES;

/**
 * The payload area a packet of `packetBytes` needs: frames are coded behind what is held, which
 * is whole 10 ms pieces short of a packet, so at most a packet less 10 ms plus a frame (a
 * 10 ms packet: its frame, sent in two halves).
 */
function sendBufferBytes(packetBytes: number): number {
	return packetBytes - 10 * BYTES_PER_MS + FRAME_BYTES;
}

/** The least worth moving the playout clock for (ms). */
const MIN_ADVANCE_MS = 2;
/**
 * How far the playout clock runs ahead of the frame clock (ms). The echo canceller takes the
 * frame played last as the reference of the next microphone frame, so each turn must play before
 * it reads, whatever a timer's lateness: at least MIN_LEAD_MS from the start (clocks due at the
 * same moment fire in either order, and each swap costs the canceller a frame's reference), and
 * at most MAX_LEAD_MS after the playout has moved to the peer's packets, so that the frame
 * played at a turn still comes after the microphone frame of the turn before.
 */
const MIN_LEAD_MS = 4;
const MAX_LEAD_MS = 16;

/** Gains for the concealment frames after a loss: the last good frame, fading out. */
const FADE = Object.freeze([GAIN_UNITY, 3072, 2048, 1024, 512]);

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
	/** Cancel the speaker's echo in the microphone (default on; with a 16 kHz microphone and speaker). */
	echoControl?: boolean;
}

/** What /sipDebug shows of a session. */
export interface MediaStatus extends RtpCounters {
	running: boolean;
	remote: string;
	codec: string;
	/** The packet time sent (the peer's a=ptime). */
	ptime_ms: number;
	direction: string;
	ssrc: number;
	remote_ssrc: number | null;
	jitter_ms: number;
	buffer_target_ms: number;
	buffer_depth_ms: number;
	/** How much sooner the playout clock runs than the frame clock, to meet the peer's packets. */
	playout_advanced_ms: number;
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
	/** The echo canceller's 8 ms blocks, those whose microphone it passed (its filter added to it: it suppressed nothing there, and kept the filter's output only in the bins the filter made smaller), its filter's restarts, and microphone frames it got with no speaker frame before (0 without echo control). */
	echo_blocks: number;
	echo_passed_blocks: number;
	echo_restarts: number;
	echo_missed_references: number;
	/** How far the echo canceller holds the speaker's frames back before it compares them with the microphone's (ms, one decimal): where it found the echo to begin beyond its tail, as a device's audio buffers delay it; 0 until it finds one, and without echo control. */
	echo_delay_ms: number;
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
	readonly playout: FrameClock;
	readonly tones: ToneQueue;
	#audio: NativeAudio;
	#socket: UdpSocket;
	#mic: MicPath | undefined;
	#speaker: SpeakerPath | undefined;
	#echo: EchoControl | undefined;
	#law = LAW_PCMU;
	#codec = "";
	/** G.722: 16 kHz frames. */
	#wide = false;
	#direction = "inactive";
	#sending = false;
	#receiving = false;
	#marker = true;
	#concealed = 0;
	/** How much sooner the playout clock runs than the frame clock (ms). */
	#advancedMs = 0;
	/** Payload bytes per packet sent (the peer's ptime), and coded bytes waiting in rtp.payload. */
	#packetBytes = FRAME_BYTES;
	#held = 0;
	/** The frame that continues what is held (after a skipped frame the held bytes are dropped). */
	#nextFrame = 0;
	/** 10 ms packets: the timer that sends a frame's second half, and that half's timestamp. */
	#clockPort: Clock;
	#halfTimer: TimerId | undefined;
	#halfTimestamp = 0;
	readonly #sendHalf = this.#sendSecondHalf.bind(this);
	/** Where each frame is coded into rtp.payload: at byte 0, 80, 160, ... (made again for a new packet time). */
	#codeAt: Uint8Array[] = [];
	#decoder = new Int16Array(G722_STATE_SAMPLES);
	#encoder = new Int16Array(G722_STATE_SAMPLES);
	#toneState = new Int16Array(RESAMPLER_STATE_SAMPLES);
	/** The frames received, played last, read from the microphone and mixed with tones, at both rates. */
	#rxFrame = new CallFrame();
	#lastFrame = new CallFrame();
	#txFrame = new CallFrame();
	#txMixedFrame = new CallFrame();
	/** The same at the call's rate (#switchCodec picks them). */
	#rx = this.#rxFrame.narrow;
	#last = this.#lastFrame.narrow;
	#tx = this.#txFrame.narrow;
	#txMixed = this.#txMixedFrame.narrow;
	/** Tones are made at 8 kHz; in a G.722 call upsampled into #toneWide, made then. */
	#toneFrame = new Int16Array(FRAME_SAMPLES);
	#toneWide: Int16Array | undefined;
	#lastSources: Int16Array[];
	#fadeGain = [GAIN_UNITY];
	#txSources: Int16Array[];
	#txGains = [GAIN_UNITY, GAIN_UNITY];
	readonly #frame = this.#onFrame.bind(this);
	readonly #playFrame = this.#onPlay.bind(this);

	constructor(options: MediaSessionOptions) {
		this.#audio = options.audio;
		this.#socket = options.socket;
		this.#clockPort = options.clock;
		this.rtp = new RtpSession(options.socket, options.random, options.clock, FRAME_BYTES, options.audio, sendBufferBytes(this.#packetBytes));
		this.#viewSendBuffer();
		this.clock = new FrameClock(options.clock, 20, options.maxBurst ?? 5);
		this.playout = new FrameClock(options.clock, 20, options.maxBurst ?? 5);
		this.tones = new ToneQueue(options.audio);
		const { mic, speaker } = options;
		// The door's 16 kHz microphone and speaker, as the canceller is tuned for.
		if (options.echoControl !== false && mic && speaker && mic.sampleRate === 16000 && speaker.sampleRate === 16000) {
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
		this.#advancedMs = 0;
		const at = startAt ?? this.#clockPort.now();
		this.playout.start(this.#playFrame, at - MIN_LEAD_MS);
		this.clock.start(this.#frame, at);
	}

	/** New media from a re-INVITE or UPDATE: peer, codec, payload types, direction. */
	update(media: NegotiatedMedia): void {
		const hadPeer = this.rtp.hasPeer;
		this.rtp.configure(media);
		this.#law = media.codec === "PCMA" ? LAW_PCMA : LAW_PCMU;
		// G.722 has no code for silence; 0xff is the smallest step of both bands.
		this.jitter.silence = this.#law === LAW_PCMA ? 0xd5 : 0xff;
		if (media.codec !== this.#codec) this.#switchCodec(media.codec === "G722");
		this.#codec = media.codec;
		const ptime = media.ptime >= 10 && media.ptime <= MAX_PTIME_MS ? Math.round(media.ptime / 10) * 10 : 20;
		if (ptime * BYTES_PER_MS !== this.#packetBytes) {
			this.#dropSecondHalf();
			this.#packetBytes = ptime * BYTES_PER_MS;
			this.#held = 0;
			this.rtp.sizePayload(sendBufferBytes(this.#packetBytes));
			this.#viewSendBuffer();
		}
		this.#direction = media.direction;
		const sending = media.direction === "sendrecv" || media.direction === "sendonly";
		// A talk spurt starts when sending starts again or the peer comes back from hold.
		if (sending && (!this.#sending || !hadPeer)) this.#marker = true;
		this.#sending = sending;
		this.#receiving = media.direction === "sendrecv" || media.direction === "recvonly";
		// On hold nothing goes out, not even a 10 ms packet's second half (to 0.0.0.0, Node sends it to this machine).
		if (!sending || !this.rtp.hasPeer) this.#dropSecondHalf();
	}

	/** Ends the session for good: its clocks stop and the echo canceller's native state is freed. */
	stop(): void {
		this.playout.stop();
		this.clock.stop();
		this.#echo?.close();
		this.tones.clear();
		this.#dropSecondHalf();
	}

	/** A 10 ms packet's second half, waiting to be sent, is not sent. */
	#dropSecondHalf(): void {
		if (this.#halfTimer !== undefined) this.#clockPort.clearTimeout(this.#halfTimer);
		this.#halfTimer = undefined;
	}

	/** The views of rtp.payload that frames are coded into, for the payload area in use. */
	#viewSendBuffer(): void {
		const payload = this.rtp.payload, codeAt = this.#codeAt;
		codeAt.length = 0;
		for (let at = 0; at + FRAME_BYTES <= payload.length; at += 10 * BYTES_PER_MS) codeAt.push(payload.subarray(at, at + FRAME_BYTES));
	}

	/**
	 * The frames' rate follows the codec (the 16 kHz ones are made the first time); each codec's
	 * state starts afresh. What was coded with the other codec goes: the frames waiting in the
	 * jitter buffer (the new decoder would make a burst of noise of them, and start from a state
	 * they left wrong) and a 10 ms packet's second half (it would leave with the new payload type).
	 */
	#switchCodec(wide: boolean): void {
		this.#wide = wide;
		this.#rx = this.#rxFrame.at(wide);
		this.#last = this.#lastFrame.at(wide);
		this.#tx = this.#txFrame.at(wide);
		this.#txMixed = this.#txMixedFrame.at(wide);
		if (wide) this.#toneWide ??= new Int16Array(WIDE_FRAME_SAMPLES);
		this.#lastSources[0] = this.#last;
		this.#txSources[0] = this.#tx;
		this.#txSources[1] = wide ? this.#toneWide! : this.#toneFrame;
		this.#last.fill(0);
		this.#decoder.fill(0);
		this.#encoder.fill(0);
		this.#held = 0;
		this.jitter.reset();
		this.#dropSecondHalf();
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
		// A new stream comes from an encoder that starts afresh: G.722's decoder, left adapted to
		// the old one, would make its first 40 ms a burst of noise at full scale.
		this.#decoder.fill(0);
	}

	onForeignEvent(address: string, port: number, more: boolean): void {
		this.onForeignDtmf?.({ address, port }, more);
	}

	#onFrame(frame: number): void {
		if (this.#sending && this.rtp.hasPeer) this.#send(frame);
	}

	#onPlay(): void {
		this.rtp.receive(this);
		this.#play();
		// The jitter buffer says once a second how much sooner its frames could have played.
		const spare = this.jitter.spareMs;
		if (spare >= MIN_ADVANCE_MS && spare < 20) {
			this.jitter.spareMs = NaN;
			const lead = Math.min(spare, MAX_LEAD_MS - MIN_LEAD_MS - this.#advancedMs);
			if (lead >= MIN_ADVANCE_MS) {
				this.playout.advance(lead);
				this.#advancedMs += lead;
			}
		}
	}

	#play(): void {
		const audio = this.#audio;
		const rx = this.#rx;
		let result = 0;
		if (this.#receiving) result = this.jitter.take(this.#clockPort.now());
		if (result === TAKE_FRAME) {
			if (this.#wide) audio.g722Decode(this.#decoder, this.jitter.frame, rx);
			else audio.decode(this.#law, this.jitter.frame, rx);
			this.#last.set(rx);
			this.#concealed = 0;
		} else if (result === TAKE_CONCEAL && this.#concealed + 1 < FADE.length) {
			this.#fadeGain[0] = FADE[++this.#concealed];
			audio.mix(rx, this.#lastSources, this.#fadeGain);
		} else {
			if (result === TAKE_CONCEAL) this.#concealed++;
			rx.fill(0);
		}
		if (this.#wide) this.#speaker?.playWide(rx);
		else this.#speaker?.play(rx);
	}

	#send(frame: number): void {
		const audio = this.#audio, wide = this.#wide, rtp = this.rtp;
		if (!this.#mic) this.#tx.fill(0);
		else if (wide) this.#mic.readWide(this.#tx);
		else this.#mic.read(this.#tx);
		let pcm = this.#tx;
		if (this.tones.playing && this.tones.fill(this.#toneFrame)) {
			if (wide) audio.upsample(this.#toneState, this.#toneFrame, this.#toneWide!);
			audio.mix(this.#txMixed, this.#txSources, this.#txGains);
			pcm = this.#txMixed;
		}
		// A second half still waiting (frames ran late and back to back) goes first.
		if (this.#halfTimer !== undefined) {
			this.#clockPort.clearTimeout(this.#halfTimer);
			this.#sendSecondHalf();
		}
		// Code the frame behind what is held, then send every whole packet from the start.
		if (frame !== this.#nextFrame) this.#held = 0;
		this.#nextFrame = frame + 1;
		const held = this.#held, codes = this.#codeAt[held / (10 * BYTES_PER_MS)];
		if (wide) audio.g722Encode(this.#encoder, pcm, codes);
		else audio.encode(this.#law, pcm, codes);
		let ready = held + FRAME_BYTES;
		// The timestamp of the first byte held: the frame's start less what was held before it.
		let timestamp = rtp.timestampOrigin + frame * FRAME_SAMPLES - held;
		const size = this.#packetBytes;
		if (size < FRAME_BYTES) {
			// 10 ms: the first half now, the second (moved to the front) in 10 ms.
			rtp.send(this.#marker, timestamp >>> 0, size);
			this.#marker = false;
			rtp.payload.copyWithin(0, size, FRAME_BYTES);
			this.#halfTimestamp = (timestamp + size) >>> 0;
			this.#halfTimer = this.#clockPort.setTimeout(this.#sendHalf, 10);
			this.#held = 0;
			return;
		}
		while (ready >= size) {
			rtp.send(this.#marker, timestamp >>> 0, size);
			this.#marker = false;
			timestamp += size;
			ready -= size;
			if (ready > 0) rtp.payload.copyWithin(0, size, size + ready);
		}
		this.#held = ready;
	}

	#sendSecondHalf(): void {
		this.#halfTimer = undefined;
		this.rtp.send(false, this.#halfTimestamp, this.#packetBytes);
	}

	/** A snapshot for the status page. */
	status(): MediaStatus {
		const j = this.jitter, c = j.counters, clock = this.clock, echo = this.#echo;
		echo?.tally();
		return {
			running: this.running,
			remote: `${this.rtp.peer.address}:${this.rtp.peer.port}`,
			codec: this.#codec,
			ptime_ms: this.#packetBytes / BYTES_PER_MS,
			direction: this.#direction,
			ssrc: this.rtp.ssrc,
			remote_ssrc: this.rtp.remoteSsrc ?? null,
			...this.rtp.counters,
			jitter_ms: Math.round(j.jitterMs * 10) / 10,
			buffer_target_ms: j.targetFrames * 20,
			buffer_depth_ms: j.depth * 20,
			playout_advanced_ms: Math.round(this.#advancedMs * 10) / 10,
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
			echo_control: echo !== undefined,
			echo_blocks: echo?.blocks ?? 0,
			echo_passed_blocks: echo?.passedBlocks ?? 0,
			echo_restarts: echo?.restarts ?? 0,
			echo_missed_references: echo?.missedReference ?? 0,
			echo_delay_ms: echo ? Math.round((echo.delaySamples / echo.sampleRate) * 10000) / 10 : 0,
			last_drop: this.rtp.lastDrop,
		};
	}

	/** The socket the session reads and writes. */
	get socket(): UdpSocket {
		return this.#socket;
	}
}
