/*
 * The door station's audio, as the application sees it: the RTP port (opened once, its bound
 * port offered in SDP), a media session per call, and the chime. The chime plays through the
 * speaker whether or not a call is up: during a call the session mixes it in, otherwise a local
 * 20 ms clock runs only while it plays. Datagrams that arrive with no call are read and counted.
 */

import type { AudioIn, AudioOut, Clock, Logger, RandomBytes, UdpFactory } from "../modules/ports.js";
import type { NegotiatedMedia } from "../sip/sdp.js";
import type { Call } from "../sip/call.js";
import type { CallMediaSink } from "../sip/call-media.js";
import type { NativeAudio } from "../modules/native-audio.js";
import { RtpPort } from "./rtp-port.js";
import { MediaSession, type DigitHandler, type DigitSource, type ForeignDtmfHandler, type MediaStatus } from "./media-session.js";
import { Chime, type ChimeOptions } from "./chime.js";
import { mediaHint } from "./media-hint.js";
import { FrameClock } from "./frame-clock.js";
import { SpeakerPath } from "./audio-paths.js";

/** What the caller hears for the door opener: two short high beeps, or three low ones. */
export const TONES: Record<"confirm" | "reject", ReadonlyArray<readonly [number, number]>> = Object.freeze({
	confirm: tones([[1200, 120], [0, 80], [1200, 120]]),
	reject: tones([[400, 250], [0, 100], [400, 250], [0, 100], [400, 250]]),
});

/** A tone sequence, frozen down to its (frequency, milliseconds) pairs: it is kept in flash. */
function tones(steps: [number, number][]): ReadonlyArray<readonly [number, number]> {
	return Object.freeze(steps.map((step) => Object.freeze(step)));
}

export interface DoorAudioOptions {
	audio: NativeAudio;
	udp: UdpFactory;
	clock: Clock;
	random: RandomBytes;
	log: Logger;
	mic?: AudioIn;
	speaker?: AudioOut;
	/** Local RTP port wanted (DEFAULT_RTP_PORT, rtp/rtp-port.ts). */
	rtpPort?: number;
	chime?: ChimeOptions;
	/** Asked at each call's start: cancel the speaker's echo in the microphone (on when absent). */
	echoControl?: () => boolean;
	/** An RFC 4733 digit in a call's stream, from the negotiated peer (with the packet's source). */
	onDigit?(call: Call, digit: string, source: DigitSource): void;
	/** RFC 4733 DTMF from another source than the call's peer (see MediaSession.onForeignDtmf). */
	onForeignDtmf?(call: Call, source: DigitSource, more: boolean): void;
}

export class DoorAudio implements CallMediaSink<Call> {
	readonly port: RtpPort;
	readonly chime: Chime;
	#options: DoorAudioOptions;
	#session: MediaSession | undefined;
	/** The call the session belongs to. */
	#call: Call | undefined;
	#last: MediaStatus | undefined;
	#local: SpeakerPath | undefined;
	#localClock: FrameClock;
	/** Datagrams that arrived with no call. */
	idleDatagrams = 0;
	readonly #localFrame = this.#localTick.bind(this);

	constructor(options: DoorAudioOptions) {
		this.#options = options;
		this.port = new RtpPort({ udp: options.udp, log: options.log, wanted: options.rtpPort, onReadable: this.#readable.bind(this) });
		this.chime = new Chime(options.audio, options.chime);
		this.#localClock = new FrameClock(options.clock);
		if (options.speaker) this.#local = new SpeakerPath(options.audio, options.speaker, this.chime);
	}

	/** The call's media session, while there is one. */
	get session(): MediaSession | undefined {
		return this.#session;
	}

	open(): void {
		this.port.open();
	}

	close(): void {
		this.endCall();
		this.#localClock.stop();
		this.port.close();
	}

	/** Plays the chime (restarting it if it is playing), mixed with any call audio. */
	ring(): void {
		// Without a speaker there is nothing to ring (and nothing would ever play the chime to its end).
		if (!this.#options.speaker) return;
		this.chime.start();
		if (!this.#session && this.#local && !this.#localClock.running) this.#localClock.start(this.#localFrame);
	}

	/** Plays the privacy tone at the door's speaker: a handset is listening. */
	announce(): void {
		if (!this.#options.speaker) return;
		this.chime.privacy();
		if (!this.#session && this.#local && !this.#localClock.running) this.#localClock.start(this.#localFrame);
	}

	/**
	 * Starts the media of an established call; frame 0 is due at `startAt`. Replaces any running
	 * session. `onForeignDtmf` hears of telephone-events from sources other than the peer.
	 */
	startCall(media: NegotiatedMedia, startAt: number, onDigit: DigitHandler, onForeignDtmf?: ForeignDtmfHandler): MediaSession | undefined {
		this.endCall();
		const socket = this.port.socket;
		if (!socket) {
			this.#options.log.error("RTP: no socket; the call has no audio");
			return undefined;
		}
		this.#localClock.stop();
		const o = this.#options;
		const session = new MediaSession({ audio: o.audio, socket, clock: o.clock, random: o.random, mic: o.mic, speaker: o.speaker, chime: this.chime, echoControl: o.echoControl ? o.echoControl() : true });
		session.onDigit = onDigit;
		session.onForeignDtmf = onForeignDtmf;
		this.#session = session;
		session.start(media, startAt);
		o.log.info(`RTP: ${media.codec} ${media.direction} with ${media.remoteAddress}:${media.remotePort} from port ${this.port.port}`);
		return session;
	}

	/** A call's agreed media (its answer, or a new offer in its dialog): starts or updates its session. */
	callMedia(call: Call, media: NegotiatedMedia): void {
		if (this.#call === call && this.#session) {
			this.updateCall(media);
			return;
		}
		this.#call = call;
		const o = this.#options;
		// Bound methods, not closures: on the device a function a preloaded module makes at run
		// time costs a copy of its code in the XS heap for as long as the call lasts.
		this.startCall(media, call.answeredAt || o.clock.now(), this.#callDigit.bind(this, call), this.#callForeignDtmf.bind(this, call));
	}

	#callDigit(call: Call, digit: string, source: DigitSource): void {
		this.#options.onDigit?.(call, digit, source);
	}

	#callForeignDtmf(call: Call, source: DigitSource, more: boolean): void {
		this.#options.onForeignDtmf?.(call, source, more);
	}

	/** The call ended: its session stops (another call's is left alone). */
	callEnded(call: Call): void {
		if (this.#call !== call) return;
		this.#call = undefined;
		this.endCall();
	}

	/** Plays the confirm or reject tones to the caller; false when no call has media. */
	tone(kind: "confirm" | "reject"): boolean {
		const session = this.#session;
		if (!session) return false;
		session.tones.clear();
		for (const [hz, ms] of TONES[kind]) session.tone(hz, ms);
		return true;
	}

	/** New media for the running call (re-INVITE, UPDATE). */
	updateCall(media: NegotiatedMedia): void {
		this.#session?.update(media);
	}

	endCall(): void {
		const session = this.#session;
		if (!session) return;
		session.stop();
		this.#last = session.status();
		this.#session = undefined;
		if (this.chime.playing && this.#local) this.#localClock.start(this.#localFrame);
		// A speaker that records (the simulator's WAV file) makes its file complete up to here.
		(this.#options.speaker as { finish?: () => void } | undefined)?.finish?.();
	}

	/** The `media` object of /sipDebug. */
	status(): Record<string, unknown> {
		return {
			rtp_port: this.port.port,
			rtp_port_busy: this.port.busy,
			chime_playing: this.chime.playing,
			chimes: this.chime.plays,
			privacy_tones: this.chime.privacyTones,
			idle_datagrams: this.idleDatagrams,
			session: this.#session ? withHint(this.#session.status()) : null,
			last_session: this.#last ? withHint(this.#last) : null,
		};
	}

	#readable(): void {
		if (this.#session) {
			this.#session.readable();
			return;
		}
		const socket = this.port.socket;
		while (socket && socket.read() !== undefined) this.idleDatagrams++;
	}

	#localTick(): void {
		this.#local?.play(undefined);
		if (!this.chime.playing) this.#localClock.stop();
	}
}

/** A session's figures with their plain-words hint ("" when nothing stands out). */
function withHint(status: MediaStatus): MediaStatus & { hint: string } {
	return { ...status, hint: mediaHint(status) };
}
