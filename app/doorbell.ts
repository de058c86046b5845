/*
 * The doorbell application: the same on the device and in the simulator. It takes the ports
 * from a provider, opens the SIP port, registers, rings on a button press and answers calls.
 */

import type { DoorbellEnvironment } from "../modules/environment.js";
import type { UaConfig } from "../sip/config.js";
import type { SipTransport } from "../sip/transport.js";
import { SipTraceLog } from "../sip/trace-log.js";
import { UserAgent, type RingResult } from "../sip/user-agent.js";
import { bellRings, type BellSettings } from "../config/bells.js";
import type { DigitalIn } from "../modules/ports.js";
import type { Call } from "../sip/call.js";
import type { Registration } from "../sip/registration.js";
import { ButtonPresses } from "../hardware/button.js";
import { DoorAudio } from "../rtp/door-audio.js";
import type { EventInput } from "../home/events.js";
import { errorWords } from "../web/status-words.js";
import { DEFAULT_RTP_PORT } from "../rtp/rtp-port.js";
import { isNoNetwork } from "../modules/free-port.js";
import { PrivacyTone } from "../door/privacy-tone.js";

export interface DoorbellOptions {
	/** The account and behaviour of the user agent. */
	config: UaConfig;
	/** The local SIP port wanted (5062). */
	localPort: number;
	/** RTP port offered in SDP. */
	rtpPort?: number;
	/** Log every SIP message. */
	trace?: boolean;
	/** Presses closer together than this ring once (ms; 1,000 by default). */
	buttonCoolDownMs?: number;
	/** The bell buttons (button 1 is the provider's button); button 1 alone when absent. */
	bells?: BellSettings[];
	/** Whether the next call cancels the speaker's echo in the microphone (on when absent). */
	echoControl?: () => boolean;
}

/** The last bell button pressed, for /sipDebug. */
export interface BellPress {
	button: number;
	name: string;
	target: string;
	source: string;
	/** Whether it rang (a press while a call goes on is ignored). */
	rang: boolean;
	reason?: string;
	ms_ago?: number;
	at: number;
}

export interface CallSummary {
	direction: string;
	state: string;
	peer: string;
	call_id: string;
	codec?: string;
	remote_rtp?: string;
	started_ms_ago: number;
	reason?: string;
}

export class Doorbell {
	readonly env: DoorbellEnvironment;
	readonly ua: UserAgent;
	/** The last SIP messages in and out, for the diagnostics page. */
	readonly traceLog: SipTraceLog;
	/** Button 1's presses after the cool-down that keeps a chattering contact from ringing twice. */
	readonly button: ButtonPresses;
	/** Every bell button's settings and presses, by button number. */
	readonly bells = new Map<number, { settings: BellSettings; presses: ButtonPresses; input?: DigitalIn }>();
	lastPress: BellPress | undefined;
	/** The tone at the door while a handset listens in a call it made to the door. */
	readonly privacy: PrivacyTone;
	/** Hears every bell press (the gong output, the status LED), before the ring is tried. */
	onPress: ((bell: BellSettings, source: string) => void) | undefined;
	/** RTP port, call media and chime; absent when the provider gives no native audio core. */
	readonly media: DoorAudio | undefined;
	/** Called for every call event (state, established, ended). */
	onCall: ((call: Call, event: "state" | "established" | "ended") => void) | undefined;
	/** Called for each DTMF digit that SIP INFO carried. */
	onDtmf: ((call: Call, digit: string) => void) | undefined;
	/**
	 * Every DTMF digit for the door opener: RFC 4733 ("rtp", with the packet's source, from the
	 * media session) and SIP INFO ("info", from the call's dialog, with the INFO's source).
	 */
	onDigit: ((call: Call | undefined, digit: string, via: "rtp" | "info", source?: { address: string; port: number }) => void) | undefined;
	/**
	 * RFC 4733 DTMF from an RTP source other than the negotiated peer (dropped, the digit unread):
	 * once per source, at most a few per call; `more` when further sources are told together.
	 */
	onForeignDtmf: ((call: Call, source: { address: string; port: number }, more: boolean) => void) | undefined;
	/** Plays a confirm or reject tone into the current call, when the media session offers it. */
	playTone: ((kind: "confirm" | "reject") => void) | undefined;
	/**
	 * The doorbell's events (ring and its outcome, inbound calls, registration lost and regained),
	 * told after the SIP work they follow is done: a ring's INVITE has been written by then.
	 */
	onEvent: ((event: EventInput) => void) | undefined;
	/** The registration now holds (true) or failed (false). */
	onRegistered: ((registered: boolean) => void) | undefined;
	/** The bell button of the ring in progress. */
	#ringButton = 1;
	/** Whether the registration held when last told: undefined until the first outcome. */
	#registered: boolean | undefined;
	/** The RTP port setting, while the port actually bound is not known. */
	#rtpPortSetting: number;

	constructor(env: DoorbellEnvironment, options: DoorbellOptions) {
		this.env = env;
		/*
		 * The callbacks below are bound methods, not closures: on the device a function a
		 * preloaded module makes at run time costs a copy of its code in the XS heap.
		 */
		this.#rtpPortSetting = options.rtpPort ?? DEFAULT_RTP_PORT;
		this.traceLog = new SipTraceLog({ now: env.clock.now.bind(env.clock), wallClock: env.wallClock });
		this.media = env.audio
			? new DoorAudio({
				audio: env.audio, udp: env.udp, clock: env.clock, random: env.random, log: env.log, mic: env.mic, speaker: env.speaker, rtpPort: options.rtpPort, echoControl: options.echoControl,
				onDigit: this.#rtpDigit.bind(this),
				onForeignDtmf: this.#foreignDtmf.bind(this),
			})
			: undefined;
		this.playTone = this.#tone.bind(this);
		this.privacy = new PrivacyTone(env.clock, this.#announce.bind(this));
		this.ua = new UserAgent(
			{ udp: env.udp, clock: env.clock, md5: env.md5, sha256: env.sha256, random: env.random, log: env.log, localAddress: env.localAddress.bind(env), resolve: env.resolve.bind(env) },
			options.config,
			{
				transport: { port: options.localPort, trace: options.trace ?? false, traceLog: this.traceLog },
				// Calls hand their agreed media straight to the door's audio.
				media: this.media,
				// The port actually bound (the next free even one when the setting's is taken).
				rtpPort: this.#rtpPort.bind(this),
				events: {
					onRegistration: this.#registrationChanged.bind(this),
					onCallState: this.#callState.bind(this),
					onCallEstablished: this.#callEstablished.bind(this),
					onCallEnded: this.#callEnded.bind(this),
					onUnanswered: this.#unanswered.bind(this),
					onDtmf: this.#infoDtmf.bind(this),
				},
			},
		);
		this.button = new ButtonPresses(env.clock, this.press.bind(this, "button", 1), options.buttonCoolDownMs);
		env.button.onChange = this.button.change.bind(this.button);
		const bells = options.bells ?? [{ button: 1, target: options.config.target, name: options.config.displayName, gong: true }];
		for (const bell of bells) {
			if (bell.button === 1) {
				this.bells.set(1, { settings: bell, presses: this.button });
				continue;
			}
			const presses = new ButtonPresses(env.clock, this.press.bind(this, "button", bell.button), options.buttonCoolDownMs);
			let input: DigitalIn | undefined;
			if (bell.pinProblem) {
				env.log.error(`bell button ${bell.button}: ${bell.pinProblem}; only the web page rings it`);
			} else {
				try {
					input = env.openButton?.(bell.button, bell.pin ?? -1);
				} catch (error) {
					env.log.error(`bell button ${bell.button} (GPIO${bell.pin}): ${(error as Error)?.message ?? error}; only the web page rings it`);
				}
			}
			if (input) input.onChange = presses.change.bind(presses);
			this.bells.set(bell.button, { settings: bell, presses, input });
		}
	}

	#rtpDigit(call: Call, digit: string, source: { address: string; port: number }): void {
		this.onDigit?.(call, digit, "rtp", source);
	}

	#foreignDtmf(call: Call, source: { address: string; port: number }, more: boolean): void {
		this.onForeignDtmf?.(call, source, more);
	}

	#tone(kind: "confirm" | "reject"): void {
		this.media?.tone(kind);
	}

	#announce(): void {
		this.media?.announce();
	}

	/** The port actually bound (the next free even one when the setting's is taken). */
	#rtpPort(): number {
		return this.media?.port.port || this.#rtpPortSetting;
	}

	#registrationChanged(registration: Registration): void {
		// A failure is logged by the registration, with its reason and the next try.
		if (registration.state !== "failed") this.env.log.info(`SIP: registration ${registration.state}${registration.lastError ? ` (${registration.lastError})` : ""}`);
		this.#registration(registration.state, registration.lastError);
	}

	#callState(call: Call): void {
		this.onCall?.(call, "state");
	}

	#callEstablished(call: Call): void {
		// A handset's call to the door: whoever is at the door hears that someone listens.
		if (call.direction === "inbound") this.privacy.start();
		this.onCall?.(call, "established");
		this.#callEvent(call, "established");
	}

	#callEnded(call: Call): void {
		this.privacy.stop();
		this.onCall?.(call, "ended");
		this.#callEvent(call, "ended");
	}

	/** Auto-answer off: the handset's call rings the door's chime instead. */
	#unanswered(): void {
		this.media?.ring();
	}

	#infoDtmf(call: Call, digit: string, source: { address: string; port: number }): void {
		this.onDtmf?.(call, digit);
		this.onDigit?.(call, digit, "info", source);
	}

	/** The SIP socket's transport (the user agent's). */
	get transport(): SipTransport {
		return this.ua.transport;
	}

	/**
	 * Opens the RTP and SIP ports and starts the user agent. False, with the user agent not
	 * started, while the provider has no network to open a port on: called again once it has, it
	 * opens the ports still closed. Throws when no SIP port is free.
	 */
	start(): boolean {
		const media = this.media;
		if (media && !media.port.socket) {
			try {
				media.open();
			} catch (error) {
				if (isNoNetwork(error)) return this.#noNetwork();
				this.env.log.error(`RTP: ${(error as Error).message}; calls will have no audio`);
			}
		}
		if (!this.transport.isOpen) {
			try {
				this.transport.open();
			} catch (error) {
				if (isNoNetwork(error)) return this.#noNetwork();
				throw error;
			}
		}
		this.ua.start();
		// The port is in the transport's own line, logged once it is bound.
		this.env.log.info(`SIP: PBX ${this.ua.config.server}:${this.ua.config.serverPort}; target ${this.ua.config.target}`);
		return true;
	}

	#noNetwork(): false {
		this.env.log.warn("SIP: no network yet; the SIP and RTP ports open when it is up");
		return false;
	}

	/**
	 * Unregisters and closes the SIP port; `done` runs when that is over. Presses from then on
	 * ring nothing: that wait lasts up to 32 s, and an INVITE sent in it would ring the handsets
	 * for a door whose socket then closes, with no CANCEL ever to follow.
	 */
	stop(done?: () => void): void {
		this.ua.stop(() => {
			this.transport.close();
			this.media?.close();
			done?.();
		});
	}

	/**
	 * A ring request from bell button `button` (1 to 4) or the web page. A press while a call is
	 * going on (another button's ring included) is logged and changes nothing.
	 */
	press(source: string, button = 1): RingResult {
		const bell = this.bells.get(button);
		if (!bell || !bellRings(bell.settings)) return this.#notRinging(source, `bell button ${button} is not set up`);
		// From stop() on the inputs may go on reporting while the un-REGISTER waits for its answer.
		if (this.ua.stopped) return this.#notRinging(source, "the doorbell is stopping");
		const { settings } = bell;
		// The chime at the door, mixed with any call audio.
		if (source === "button") this.media?.ring();
		try {
			this.onPress?.(settings, source);
		} catch (error) {
			this.env.log.error(`ring: a press listener threw: ${(error as Error)?.message ?? error}`);
		}
		// Button 1 follows the SIP settings as they are now; the others ring their own number and name.
		const result = button === 1 ? this.ua.ring() : this.ua.ring({ target: settings.target, displayName: settings.name });
		const target = button === 1 ? this.ua.config.target : settings.target;
		const name = button === 1 ? this.ua.config.displayName : settings.name;
		this.lastPress = { button, name, target, source, rang: result.ok, at: this.env.clock.now() };
		if (result.reason) this.lastPress.reason = result.reason;
		this.env.log.info(`ring (${source}): ${result.ok ? "ringing" : `not ringing: ${result.reason}`} [button ${button} "${name}" → ${target}]`);
		if (result.ok) this.#ringButton = button;
		this.#event(result.ok ? { type: "ring", button, source } : { type: "ring", button, source, reason: result.reason ?? "" });
		return result;
	}

	/** A press refused before anything rang: logged, and the reason given back. */
	#notRinging(source: string, reason: string): RingResult {
		this.env.log.info(`ring (${source}): not ringing: ${reason}`);
		return { ok: false, reason };
	}

	/** New numbers, names and gong choices of the bell buttons (their pins change at a restart). */
	updateBells(bells: BellSettings[]): void {
		for (const settings of bells) {
			const bell = this.bells.get(settings.button);
			if (bell) bell.settings = { ...settings, pin: bell.settings.pin };
			else if (settings.button !== 1) this.env.log.warn(`bell button ${settings.button} is used after a restart (its GPIO is opened at start)`);
		}
		for (const button of Array.from(this.bells.keys())) {
			if (button !== 1 && !bells.some((b) => b.button === button)) this.bells.get(button)!.settings = { ...this.bells.get(button)!.settings, target: "" };
		}
	}

	reconfigure(config: UaConfig): void {
		this.ua.reconfigure(config);
	}

	/** The status for /sipDebug: never the password. */
	status(): Record<string, unknown> {
		const ua = this.ua;
		const registration = ua.registration;
		const now = this.env.clock.now();
		const pbx = ua.pbx;
		return {
			registered: registration.registered,
			registration: registration.state,
			registration_expires: registration.granted,
			next_register_in_s: registration.nextAt ? Math.max(0, Math.round((registration.nextAt - now) / 1000)) : null,
			sip_user: ua.config.user,
			sip_displayname: ua.config.displayName,
			sip_target: ua.config.target,
			sip_server: ua.config.server,
			pbx: pbx ? `${pbx.address}:${pbx.port}` : `${ua.config.server}:${ua.config.serverPort} (unresolved)`,
			local_address: this.env.localAddress(),
			local_port: this.transport.port,
			local_port_busy: this.transport.busy,
			call: ua.call ? ua.call.state : "idle",
			current_call: ua.call ? summary(ua.call, now) : null,
			last_call: ua.lastCall ? summary(ua.lastCall, now) : null,
			last_error: ua.lastError,
			rejected_datagrams: this.transport.rejected,
			// Live entries of the SIP tables a sender can grow (bounds in sip/transaction-layer.ts).
			sip_transactions: { server: ua.layer.serverCount, stranger: ua.layer.strangerCount, client: ua.layer.clientCount, refused_kept: ua.layer.refusedCount },
			refused_requests: ua.layer.refusedTotal,
			last_rejection: this.transport.lastRejection,
			media: this.media ? this.media.status() : null,
			bells: Array.from(this.bells.values()).filter(({ settings }) => bellRings(settings)).map(({ settings }) => ({ button: settings.button, target: settings.button === 1 ? ua.config.target : settings.target, name: settings.button === 1 ? ua.config.displayName : settings.name, gong: settings.gong })),
			last_press: this.lastPress ? { ...this.lastPress, at: undefined, ms_ago: Math.round(now - this.lastPress.at) } : null,
			health: this.env.health?.() ?? null,
		};
	}

	/** Calls already told as established (a re-INVITE establishes again). */
	#told = new WeakSet<Call>();

	#event(event: EventInput): void {
		try {
			this.onEvent?.(event);
		} catch (error) {
			this.env.log.error(`event listener: ${(error as Error)?.message ?? error}`);
		}
	}

	/** Registration lost (with the reason in plain words) and regained; the first success is no event. */
	#registration(state: string, lastError: string): void {
		if (state === "registered") {
			if (this.#registered === false) this.#event({ type: "registration_regained" });
			this.#registered = true;
			this.onRegistered?.(true);
		} else if (state === "failed") {
			if (this.#registered !== false) this.#event({ type: "registration_lost", reason: errorWords(lastError, { sip_user: this.ua.config.user }) || "no answer" });
			this.#registered = false;
			this.onRegistered?.(false);
		}
	}

	/** A ring's outcome, an inbound call's start, a call's end. */
	#callEvent(call: Call, what: "established" | "ended"): void {
		const peer = call.peer;
		const callId = call.callId;
		if (what === "established") {
			if (this.#told.has(call)) return;
			this.#told.add(call);
			if (call.direction === "outbound") this.#event({ type: "ring_answered", button: this.#ringButton, peer, call_id: callId });
			else this.#event({ type: "call_started", peer, call_id: callId });
			return;
		}
		if (call.answeredAt || this.#told.has(call)) {
			this.#event({ type: "call_ended", peer, call_id: callId, duration_s: Math.round(((call.endedAt || this.env.clock.now()) - (call.answeredAt || call.startedAt)) / 1000), reason: call.endReason });
			return;
		}
		if (call.direction !== "outbound") return;
		const reason = call.endReason;
		const button = this.#ringButton;
		if (/^nobody answered/.test(reason)) this.#event({ type: "ring_not_answered", button, reason });
		else if (/hung up|cancel/i.test(reason)) this.#event({ type: "ring_cancelled", button, reason });
		else this.#event({ type: "ring_failed", button, reason: errorWords(reason, { sip_user: this.ua.config.user }) });
	}
}

function summary(call: Call, now: number): CallSummary {
	const out: CallSummary = { direction: call.direction, state: call.state, peer: call.peer, call_id: call.callId, started_ms_ago: Math.round(now - call.startedAt) };
	if (call.media) {
		out.codec = call.media.codec;
		out.remote_rtp = `${call.media.remoteAddress}:${call.media.remotePort}`;
	}
	if (call.endReason) out.reason = call.endReason;
	return out;
}
