/*
 * The doorbell's user agent: registration, one call at a time (rung by the button or taken
 * from a handset), and the answers to every request that reaches it outside a call.
 */

import type { Clock, Logger, Md5, RandomBytes, Sha256, TimerId, UdpFactory } from "../modules/ports.js";
import type { ServerTransaction } from "./server-transaction.js";
import type { Incoming, SipTransport, SipTransportSettings } from "./transport.js";
import { TransactionLayer, type Sender } from "./transaction-layer.js";
import { DEFAULT_TIMERS, type TimerValues } from "./timers.js";
import { UaContext } from "./context.js";
import { IdSource } from "./ids.js";
import { DigestAuthenticator } from "./digest.js";
import { NETWORK_RETRY_GAP_MS, Registration } from "./registration.js";
import { Call, ACCEPT, type CallObserver } from "./call.js";
import type { CallMediaSink } from "./call-media.js";
import { ALLOW, REFUSED_METHODS } from "./methods.js";
import { OutboundCall, type RingTarget } from "./outbound-call.js";
import { InboundCall } from "./inbound-call.js";
import { sameAccount, type UaConfig } from "./config.js";
import { uriScheme } from "./header-values.js";
import { isIpv4Text } from "../modules/ipv4-text.js";

export interface UserAgentPorts {
	udp: UdpFactory;
	clock: Clock;
	md5: Md5;
	sha256: Sha256;
	random: RandomBytes;
	log: Logger;
	localAddress(): string;
	resolve(host: string, callback: (error: Error | undefined, address?: string) => void): void;
}

export interface UserAgentEvents {
	onRegistration?(registration: Registration): void;
	onCallState?(call: Call): void;
	onCallEstablished?(call: Call): void;
	onCallEnded?(call: Call): void;
	onDtmf?(call: Call, digit: string, source: { address: string; port: number }): void;
	/** A handset's call that was not answered because auto-answer is off (the door may chime). */
	onUnanswered?(from: string): void;
}

export interface UserAgentOptions {
	/** The local RTP port offered in SDP. */
	rtpPort: () => number;
	events?: UserAgentEvents;
	timers?: TimerValues;
	/** The SIP socket: the local port wanted, tracing. */
	transport?: SipTransportSettings;
	/** Where every call hands its agreed media (the door's audio). */
	media?: CallMediaSink<Call>;
}

export interface RingResult {
	ok: boolean;
	reason?: string;
}

/** Extensions this UA supports (Require: anything else gets 420). */
const SUPPORTED: readonly string[] = Object.freeze([] as string[]);
/** The pause (ms) before a failed lookup of the PBX's name at the start is tried again. */
const LOOKUP_RETRY = 30000;
/**
 * The longest (ms) a lookup of the PBX's name is waited for; past it the lookup has failed and
 * its answer, if one ever comes, is ignored. A resolver that never calls back (a DNS server that
 * swallows the query, a platform resolver that loses its callback) would otherwise leave no
 * retry and no attempt pending, and the door unregistered until a restart. Longer than a
 * resolver's own retries (lwIP's, or getaddrinfo's 5 s a try) take to give up.
 */
const LOOKUP_TIMEOUT = 15000;

export class UserAgent implements CallObserver {
	readonly layer: TransactionLayer;
	readonly registration: Registration;
	#ctx: UaContext;
	#ports: UserAgentPorts;
	#events: UserAgentEvents;
	#call: Call | undefined;
	#lastCall: Call | undefined;
	#rtpPort: () => number;
	lastError = "";
	#started = false;
	/** stop() was called: the door is going away (its un-REGISTER may still wait for the registrar). */
	#stopped = false;
	/**
	 * Counts the lookups of the PBX's name: only the answer to the newest counts, one that a
	 * newer lookup, a stop, a new account or its time-out overtook changes nothing (one lookup
	 * at a time).
	 */
	#lookups = 0;
	/** The current lookup's time-out while it runs; then, after a failure at the start, its retry. */
	#lookupTimer: TimerId | undefined;
	/** Clock time (ms) when the last lookup began. */
	#lookupAt = -Infinity;
	/** Refusals are not logged before this time; those meanwhile are counted. */
	#refusalLogQuiet = 0;
	#refusalsUnlogged = 0;
	/**
	 * The settings to take once the old account's unregistration ends (reconfigure): one slot,
	 * the last saved, however often the user saves meanwhile.
	 */
	#switching: UaConfig | undefined;

	constructor(ports: UserAgentPorts, config: UaConfig, options: UserAgentOptions) {
		this.#ports = ports;
		this.#events = options.events ?? {};
		this.#rtpPort = options.rtpPort;
		const ids = new IdSource(ports.random);
		this.layer = new TransactionLayer({
			udp: ports.udp,
			clock: ports.clock,
			log: ports.log,
			timers: options.timers ?? DEFAULT_TIMERS,
			ids,
			// Bound methods, not closures: on the device a function a preloaded module makes at
			// run time costs a copy of its code in the XS heap.
			transport: {
				...options.transport,
				onMoved: this.#moved.bind(this),
			},
			user: {
				sender: this.#sender.bind(this),
				onRefused: this.#refused.bind(this),
				onRequest: this.#request.bind(this),
				onAck: this.#ack.bind(this),
			},
		});
		this.#ctx = new UaContext({
			config,
			layer: this.layer,
			ids,
			auth: new DigestAuthenticator(ports.md5, ports.sha256, ports.random),
			log: ports.log,
			localAddress: ports.localAddress,
			localPort: this.#localPort.bind(this),
			media: options.media,
		});
		this.registration = new Registration(this.#ctx, { onChange: this.#registrationChanged.bind(this), lookUp: this.#lookUpAgain.bind(this) });
	}

	/** A port that changed under a running registration needs a new binding. */
	#moved(): void {
		// A new account waiting for the old one's unregistration registers afresh after it.
		if (this.#started && this.#ctx.config.user && !this.#switching) this.registration.start();
	}

	#localPort(): number {
		return this.layer.transport.port;
	}

	#registrationChanged(registration: Registration): void {
		if (registration.lastError) this.lastError = registration.lastError;
		this.#events.onRegistration?.(registration);
	}

	/** The SIP socket's transport. */
	get transport(): SipTransport {
		return this.layer.transport;
	}

	get config(): UaConfig {
		return this.#ctx.config;
	}

	get pbx(): { address: string; port: number } | undefined {
		return this.#ctx.pbx;
	}

	/** The call in progress, if any. */
	get call(): Call | undefined {
		return this.#call;
	}

	get lastCall(): Call | undefined {
		return this.#lastCall;
	}

	/** Resolves the PBX and registers (when an account is set). */
	start(): void {
		this.#started = true;
		this.#lookUp(this.#resolved.bind(this));
	}

	/**
	 * Looks the PBX's name up, the lookup in progress ended first: `answer` gets its outcome, or
	 * a failure after LOOKUP_TIMEOUT, and nothing once a newer lookup, a stop or a new account
	 * overtook it.
	 */
	#lookUp(answer: (error: Error | undefined, address?: string) => void): void {
		this.#dropLookup();
		const lookup = this.#lookups;
		this.#lookupAt = this.#ports.clock.now();
		this.#lookupTimer = this.#ports.clock.setTimeout(this.#lookupTimedOut.bind(this, lookup, answer), LOOKUP_TIMEOUT);
		this.#ports.resolve(this.#ctx.config.server, this.#lookedUp.bind(this, lookup, answer));
	}

	#lookedUp(lookup: number, answer: (error: Error | undefined, address?: string) => void, error: Error | undefined, address?: string): void {
		if (lookup !== this.#lookups) return;
		this.#dropLookup();
		answer(error, address);
	}

	#lookupTimedOut(lookup: number, answer: (error: Error | undefined, address?: string) => void): void {
		if (lookup !== this.#lookups) return;
		this.#lookupTimer = undefined;
		this.#dropLookup();
		answer(new Error(`no answer within ${LOOKUP_TIMEOUT / 1000} s`));
	}

	#resolved(error: Error | undefined, address?: string): void {
		if (!this.#started) return;
		const { server, serverPort, user } = this.#ctx.config;
		if (error || !address) {
			this.lastError = `cannot resolve the PBX name ${server}: ${error?.message ?? "no address"}`;
			this.#ports.log.warn(`SIP: ${this.lastError}; retrying in ${LOOKUP_RETRY / 1000} s`);
			this.#lookupTimer = this.#ports.clock.setTimeout(this.#lookupDue.bind(this), LOOKUP_RETRY);
			return;
		}
		this.#ctx.pbx = { address, port: serverPort };
		if (user) this.registration.start();
	}

	#lookupDue(): void {
		this.#lookupTimer = undefined;
		if (this.#started) this.start();
	}

	/**
	 * The door's network came up or changed (a new address). A lookup of the PBX's name at the
	 * start that failed, or that still runs (asked over no network or the old one), is made again
	 * now instead of at its retry, not sooner than NETWORK_RETRY_GAP_MS after the last began;
	 * once the PBX is known, the registration sees what to try again.
	 */
	networkChanged(): void {
		if (!this.#started) return;
		if (this.#ctx.pbx) {
			this.registration.networkChanged();
			return;
		}
		// Without a lookup pending a new account waits for the old one's unregistration, and looks up after it.
		if (this.#lookupTimer === undefined) return;
		const wait = this.#lookupAt + NETWORK_RETRY_GAP_MS - this.#ports.clock.now();
		if (wait <= 0) {
			this.start();
			return;
		}
		this.#dropLookup();
		this.#lookupTimer = this.#ports.clock.setTimeout(this.#lookupDue.bind(this), wait);
	}

	/**
	 * Before a registration attempt after a failure: the PBX's name is looked up again, as the
	 * box may have another address now (its requests from there would be refused); a call in
	 * progress keeps the PBX it began with. An IPv4 address is not looked up, and a failed lookup
	 * leaves the address known.
	 */
	#lookUpAgain(then: () => void): void {
		const server = this.#ctx.config.server;
		if (isIpv4Text(server)) {
			then();
			return;
		}
		this.#lookUp(this.#foundAgain.bind(this, then));
	}

	#foundAgain(then: () => void, error: Error | undefined, address?: string): void {
		const { server, serverPort } = this.#ctx.config;
		const pbx = this.#ctx.pbx;
		if (error || !address) this.#ports.log.warn(`SIP: cannot resolve the PBX name ${server} again: ${error?.message ?? "no address"}; keeping its last address`);
		else if (address !== pbx?.address) {
			this.#ports.log.info(`SIP: the PBX ${server} is now at ${address}${pbx ? ` (was ${pbx.address})` : ""}`);
			this.#ctx.pbx = { address, port: serverPort };
		}
		then();
	}

	/** Ends the lookup in progress (its answer is ignored) and its pending time-out or retry. */
	#dropLookup(): void {
		this.#lookups++;
		if (this.#lookupTimer !== undefined) this.#ports.clock.clearTimeout(this.#lookupTimer);
		this.#lookupTimer = undefined;
	}

	/** Whether stop() was called: the door is going away, though its un-REGISTER may still wait for the registrar. */
	get stopped(): boolean {
		return this.#stopped;
	}

	/** Ends the call, unregisters, and calls `done` when the registrar has answered (or gave up). */
	stop(done?: () => void): void {
		this.#started = false;
		this.#stopped = true;
		this.#dropLookup();
		this.#call?.hangup("the doorbell is shutting down");
		this.registration.stop(true, done);
	}

	/**
	 * Takes new settings; a changed account unregisters the old one before registering the new.
	 * Settings saved while that unregistration waits for the registrar replace the ones it waits
	 * to take: only the last saved is registered, once (even the old account, which the
	 * un-REGISTER in flight removes from the registrar and which so registers again).
	 */
	reconfigure(config: UaConfig): void {
		if (this.#switching) {
			this.#switching = config;
			return;
		}
		if (sameAccount(this.#ctx.config, config)) {
			this.#ctx.config = config;
			return;
		}
		this.#dropLookup();
		this.#switching = config;
		this.registration.stop(true, this.#switched.bind(this));
	}

	/** The old account's unregistration is over: the settings saved last are taken. */
	#switched(): void {
		const config = this.#switching;
		this.#switching = undefined;
		if (!config) return;
		this.#ctx.config = config;
		this.#ctx.pbx = undefined;
		if (this.#started) this.start();
	}

	/** A button press: rings the target (or a bell button's own) unless a call is already going on. */
	ring(to?: RingTarget): RingResult {
		if (this.#call) return { ok: false, reason: `a call is already ${this.#call.state}` };
		if (!this.#ctx.config.user) return { ok: false, reason: "no SIP account is set up" };
		if (!this.#ctx.pbx) return { ok: false, reason: "the PBX address is not known yet" };
		const call = new OutboundCall(this.#ctx, this, this.#rtpPort(), to);
		this.#call = call;
		call.start();
		return { ok: true };
	}

	/** Ends the current call from our side. */
	hangup(reason = "hung up at the door"): void {
		this.#call?.hangup(reason);
	}

	// CallObserver
	onState(call: Call): void {
		this.#events.onCallState?.(call);
	}
	onEstablished(call: Call): void {
		this.#events.onCallEstablished?.(call);
	}
	onEnded(call: Call): void {
		if (this.#call === call) this.#call = undefined;
		this.#lastCall = call;
		// A refusal is a problem to show; the 487 that answers the door's own CANCEL is not.
		if (call instanceof OutboundCall && call.finalStatus >= 300 && !call.cancelled) this.lastError = call.endReason;
		this.#events.onCallEnded?.(call);
	}
	onDtmf(call: Call, digit: string, source: { address: string; port: number }): void {
		this.#events.onDtmf?.(call, digit, source);
	}

	#fromPbx(incoming: Incoming): boolean {
		return this.#ctx.config.allowAnySource || this.#isPbx(incoming.address);
	}

	/** The PBX now, or the one the call in progress began with (a new account may have unset or moved the first). */
	#isPbx(address: string): boolean {
		return address === this.#ctx.pbx?.address || address === this.#call?.pbx?.address;
	}

	/**
	 * Every request, in a dialog or not (BYE, INFO, UPDATE, re-INVITE, CANCEL …), must come from
	 * the PBX: a dialog's Call-ID and tags are no secret to whoever sees the signalling. A foreign
	 * one gets 403 (from the transaction layer, without a transaction) whether or not it matches,
	 * so it learns nothing of the call either; with allow_any_src it is served as a stranger's.
	 */
	#sender(incoming: Incoming): Sender {
		if (this.#isPbx(incoming.address)) return "pbx";
		return this.#ctx.config.allowAnySource ? "stranger" : "refused";
	}

	/** Logs a refusal; in a flood, one line a second with the number of the others. */
	#refused(incoming: Incoming): void {
		const now = this.#ports.clock.now();
		if (now < this.#refusalLogQuiet) {
			this.#refusalsUnlogged++;
			return;
		}
		const more = this.#refusalsUnlogged ? ` (and ${this.#refusalsUnlogged} more refused requests before it)` : "";
		this.#ports.log.warn(`SIP: refused ${incoming.message.method} from ${incoming.address}:${incoming.port} (not the PBX)${more}`);
		this.#refusalsUnlogged = 0;
		this.#refusalLogQuiet = now + 1000;
	}

	#request(transaction: ServerTransaction, incoming: Incoming): void {
		const { message, essentials } = incoming;
		const method = message.method;
		const call = this.#call;
		// Requests from senders other than the PBX were refused before this (#sender).
		// A CANCEL belongs to its INVITE's transaction, not to the dialog (RFC 3261 §9.2): one of a
		// re-INVITE carries the dialog's tags and the re-INVITE's CSeq, which the dialog refuses.
		if (method === "CANCEL") {
			this.#cancel(transaction, incoming);
			return;
		}
		// Within the current call's dialog.
		if (essentials.toTag) {
			if (call?.dialog?.matches(essentials)) {
				call.receive(transaction, incoming);
				return;
			}
			// A stale or foreign request (e.g. a BYE retransmitted long after its call): never ends the live call.
			transaction.respond(481, "Call/Transaction Does Not Exist");
			return;
		}
		const scheme = uriScheme(message.uri);
		if (scheme !== "sip" && scheme !== "sips" && scheme !== "tel") {
			transaction.respond(416, "Unsupported URI Scheme");
			return;
		}
		const required = message.values("require").filter((r) => r && !SUPPORTED.includes(r.toLowerCase()));
		if (required.length && method !== "CANCEL" && method !== "ACK") {
			transaction.respond(420, "Bad Extension", { headers: [`Unsupported: ${required.join(", ")}`] });
			return;
		}
		switch (method) {
			case "OPTIONS":
				transaction.respond(200, "OK", { headers: [ALLOW, ACCEPT] });
				return;
			case "INVITE":
				this.#invite(transaction, incoming);
				return;
			case "BYE":
			case "INFO":
			case "UPDATE":
				transaction.respond(481, "Call/Transaction Does Not Exist");
				return;
			default:
				if (REFUSED_METHODS.includes(method)) transaction.respond(405, "Method Not Allowed", { headers: [ALLOW] });
				else transaction.respond(501, "Not Implemented", { headers: [ALLOW] });
		}
	}

	#invite(transaction: ServerTransaction, incoming: Incoming): void {
		const { message } = incoming;
		// A call answered now would lose its sockets within seconds, and its handset would hear
		// the door's media stop with no BYE.
		if (this.#stopped) {
			transaction.respond(480, "Temporarily Unavailable", { headers: ['Warning: 399 - "the doorbell is shutting down"'] });
			return;
		}
		if (this.#call) {
			transaction.respond(486, "Busy Here");
			return;
		}
		const accept = message.header("accept");
		if (accept !== undefined && accept.trim() !== "" && !/application\/sdp|application\/\*|\*\/\*/i.test(accept)) {
			transaction.respond(406, "Not Acceptable", { headers: [ACCEPT] });
			return;
		}
		if (message.bodyBytes.length === 0) {
			// An offer in the 200 OK with the answer in the ACK is taken only within a call (a
			// re-INVITE): a call's first INVITE is answered at once and its media start with that answer.
			transaction.respond(488, "Not Acceptable Here", { headers: ["Warning: 399 - \"an SDP offer is required\""] });
			return;
		}
		if (!this.#ctx.config.autoAnswer) {
			const from = message.header("from") ?? "";
			transaction.respond(480, "Temporarily Unavailable", { headers: ['Warning: 399 - "the door answers no calls (auto-answer is off)"'] });
			this.#ports.log.info(`SIP: call from ${incoming.address} not answered: auto-answer is off`);
			this.#events.onUnanswered?.(from);
			return;
		}
		transaction.respond(100, "Trying");
		const call = new InboundCall(this.#ctx, this, this.#rtpPort(), transaction);
		this.#call = call;
		this.#ports.log.info(`SIP: incoming call from ${call.peer} (${incoming.address})`);
		if (!call.answer() && this.#call === call) this.#call = undefined;
	}

	#cancel(transaction: ServerTransaction, incoming: Incoming): void {
		const invite = this.layer.inviteFor(incoming);
		if (!invite) {
			transaction.respond(481, "Call/Transaction Does Not Exist");
			return;
		}
		transaction.respond(200, "OK", { toTag: invite.toTag });
		if (invite.state === "proceeding") {
			invite.respond(487, "Request Terminated");
			// Only a call's first INVITE (its To without a tag) ends the call; a cancelled re-INVITE
			// leaves the session as it was (RFC 3261 §14.2).
			const call = this.#call;
			if (!incoming.essentials.toTag && call instanceof InboundCall && call.callId === incoming.essentials.callId) call.hangup("the caller gave up");
		}
	}

	#ack(incoming: Incoming): void {
		// An ACK from elsewhere must neither stop the 200 OK's retransmissions nor confirm a re-INVITE.
		if (!this.#fromPbx(incoming)) {
			this.#ports.log.warn(`SIP: ignored ACK from ${incoming.address}:${incoming.port} (not the PBX)`);
			return;
		}
		const call = this.#call ?? this.#lastCall;
		if (call?.dialog?.matches(incoming.essentials)) call.acknowledge(incoming);
	}
}
