/*
 * Registration as an IP phone (RFC 3261 §10): REGISTER to the bare domain with one Call-ID
 * and rising CSeq, digest auth on 401/407, refresh before the granted expiry, back-off after
 * failures (a FRITZ!Box blocks clients that keep failing), Expires: 0 to leave.
 */

import type { TimerId } from "../modules/ports.js";
import type { Incoming } from "./transport.js";
import type { UaContext } from "./context.js";
import type { ClientTransaction } from "./client-transaction.js";
import { param, parseNameAddr, parseSipUri } from "./header-values.js";
import { digitsEnd, isAllDigits } from "./scan.js";
import { encodeUtf8 } from "../modules/text.js";
import { EMPTY_BODY } from "./serializer.js";
import { ALLOW } from "./methods.js";

export type RegistrationState = "idle" | "registering" | "registered" | "failed" | "unregistering";

/**
 * Back-off after failures: first delay and ceiling (s). A PBX that does not answer costs nothing
 * to ask again, and a FRITZ!Box back from a restart has lost the door's binding: an attempt
 * retransmits for 32 s (Timer F, at most 4 s apart), so pauses of at most 20 s between attempts
 * find a returning PBX within about 25 s; a registrar that cannot take the registration now
 * (isTemporaryRefusal) without saying for how long is asked as often. A PBX that refuses the
 * login or the registration is asked far less often: asking again mends nothing until the
 * settings change, and a FRITZ!Box blocks a client whose logins keep failing.
 */
const RETRY_AFTER_TIMEOUT = Object.freeze([15, 20]);
const RETRY_AFTER_REFUSAL = Object.freeze([60, 1800]);
/**
 * The least and most (s) a registrar's Retry-After is waited for: at least 5 s, so that a
 * Retry-After of 0 or 1 does not have the door ask without pause (each attempt may be two
 * REGISTERs with the challenge); at most the refusal's ceiling, so that a wait of hours (or a
 * garbled number) leaves the door unregistered no longer than a refused login would.
 */
const RETRY_AFTER_BOUNDS = Object.freeze([5, RETRY_AFTER_REFUSAL[1]]);
/**
 * Authenticated retries an attempt makes for challenges marked stale, after its first one: each
 * goes out at once, so a registrar that calls every nonce stale would otherwise be asked without
 * pause or end (and each REGISTER's transaction lives on for Timer K).
 */
const STALE_RETRIES = 1;
/**
 * The least pause (ms) before an attempt, or a lookup of the PBX's name, that a new address of
 * the door brings forward (networkChanged) since the last one began: a network that comes and
 * goes every moment has the door ask the PBX and the DNS server no more often than this.
 */
export const NETWORK_RETRY_GAP_MS = 2000;

// Literals of the send path at module level: a literal inside a function is a new string each
// time it runs in code compiled at run time.
const REGISTER = "REGISTER", REGISTERING: RegistrationState = "registering", UNREGISTERING: RegistrationState = "unregistering", FAILED: RegistrationState = "failed", REGISTERED: RegistrationState = "registered";

// The constant stretches of a REGISTER between its variable parts, each one argument of concat.
const REGISTER_SP = "REGISTER ", SIP_2_0_CRLF = " SIP/2.0\r\n", CRLF = "\r\n", RPORT_CRLF = ";rport\r\n", CRLF_TO_LT = "\r\nTo: <";
const GT_CRLF_CALL_ID = ">\r\nCall-ID: ", CRLF_CSEQ = "\r\nCSeq: ", SP_REGISTER_CRLF = " REGISTER\r\n", CRLF_EXPIRES = "\r\nExpires: ";
const CRLF_ALLOW_END = CRLF.concat(ALLOW, CRLF, EMPTY_BODY);

export class Registration {
	#ctx: UaContext;
	#state: RegistrationState = "idle";
	#callId = "";
	#fromTag = "";
	#cseq = 0;
	#timer: TimerId | undefined;
	#failures = 0;
	/** The Min-Expires a registrar asked for with 423: every later REGISTER asks at least that. */
	#minExpires = 0;
	/** Seconds the registrar granted in its last 200 OK. */
	granted = 0;
	/** Clock time (ms) of the last successful registration. */
	registeredAt = 0;
	/** Clock time (ms) of the next REGISTER. */
	nextAt = 0;
	/**
	 * Clock time (ms) until which the registrar may hold a binding of this Call-ID: the expiry its
	 * last 2xx granted, whatever has failed since (0: none granted, or given up with Expires: 0).
	 */
	#boundUntil = 0;
	lastError = "";
	/** The status of the last final response that ended in failure (0 for a timeout). */
	lastStatus = 0;
	#leaving: (() => void) | undefined;
	/** The REGISTER in flight: ended by start() and stop(), so that its late answer or timeout changes nothing. */
	#pending: ClientTransaction | undefined;
	/** Counts the lookups before attempts: one answered after start() or stop() (a new count) sends nothing. */
	#lookups = 0;
	/** Clock time (ms) when the last attempt began, and whether it has had an answer (a 1xx is one). */
	#attemptAt = -Infinity;
	#heard = false;
	/**
	 * The local address in the Contact of the REGISTER last sent, and of the last one the
	 * registrar took: where the PBX sends the door's calls while the registration holds.
	 */
	#sentFrom = "";
	#boundFrom = "";

	#onChange: ((registration: Registration) => void) | undefined;
	/** lastError as onChange was last told it. */
	#toldError = "";
	#lookUp: ((then: () => void) => void) | undefined;

	/**
	 * `onChange` is called whenever the state or the last error changes; `lookUp` before each
	 * attempt after a failure, to find the PBX again (its address may have changed), calling
	 * `then` once ctx.pbx is what it found.
	 */
	constructor(ctx: UaContext, options: { onChange?(registration: Registration): void; lookUp?(then: () => void): void } = {}) {
		this.#ctx = ctx;
		this.#onChange = options.onChange;
		this.#lookUp = options.lookUp;
	}

	get state(): RegistrationState {
		return this.#state;
	}

	get registered(): boolean {
		return this.#state === "registered";
	}

	/** Starts registering (a fresh Call-ID: a new binding). */
	start(): void {
		this.#abandon();
		this.#leaving = undefined;
		const binding = this.#ctx.ids.binding(this.#ctx.localAddress);
		this.#callId = binding.callId;
		this.#fromTag = binding.tag;
		this.#cseq = binding.int31 % 10000;
		this.#failures = 0;
		this.#minExpires = 0;
		this.#boundUntil = 0;
		this.#attempt();
		this.#send(this.#wanted());
	}

	/**
	 * The door's network came up or changed (a new address). An attempt that found no network
	 * (the last went unanswered: it timed out, its send was refused, or the PBX address was not
	 * known) is made now instead of at the end of its back-off, or, where its lookup of the PBX
	 * still runs (asked over no network or the old one, and perhaps never answered before its
	 * time-out), looks up again; one still waiting for its first answer is made again, as its
	 * REGISTER went out over no network or the old one, with that address in its Contact. A
	 * registration that holds is refreshed now when its Contact has another address than the
	 * door's now: until then the PBX sends the door's calls to an address it no longer has (a
	 * DHCP renewal with the same address sends nothing). Not sooner than NETWORK_RETRY_GAP_MS
	 * after the last attempt or refresh began. A refusal keeps its back-off (the network did not
	 * cause it).
	 */
	networkChanged(): void {
		const state = this.#state;
		// Failed and without a timer: the next attempt's lookup runs (#refresh); #abandon ends it.
		const waiting = state === FAILED && this.lastStatus === 0;
		// A refresh out keeps the state registered (#send).
		const unheard = (state === REGISTERING || state === REGISTERED) && !this.#heard;
		const moved = state === REGISTERED && this.#ctx.localAddress !== this.#boundFrom;
		if (!waiting && !unheard && !moved) return;
		this.#abandon();
		const now = this.#ctx.clock.now();
		const wait = this.#attemptAt + NETWORK_RETRY_GAP_MS - now;
		if (wait > 0) {
			// An attempt or refresh due sooner than the pause ends keeps its time.
			if (this.#timer === undefined || this.nextAt - now > wait) this.#schedule(wait / 1000);
			return;
		}
		this.#clear();
		this.#refresh();
	}

	#attempt(): void {
		this.#attemptAt = this.#ctx.clock.now();
		this.#heard = false;
	}

	/** The expiry to ask for: the configured one, or the registrar's Min-Expires when higher. */
	#wanted(): number {
		return Math.max(this.#ctx.config.registerExpires, this.#minExpires);
	}

	/**
	 * Stops refreshing; with `unregister`, sends Expires: 0 first when the registrar may hold a
	 * binding and calls `done` when answered. Without a binding the attempt in flight is given up
	 * and `done` called at once: an un-REGISTER for a first attempt that is not answered would
	 * keep the caller (a new account's REGISTER) waiting for its Timer F.
	 */
	stop(unregister: boolean, done?: () => void): void {
		this.#clear();
		if (unregister && this.#state === UNREGISTERING) {
			// The Expires: 0 in flight is the one wanted: its answer answers this caller too.
			if (done) this.#leaving = this.#leaving ? chain(this.#leaving, done) : done;
			return;
		}
		this.#abandon();
		// A stop that overtakes an unregistration still answers the earlier caller.
		const earlier = this.#leaving;
		this.#leaving = undefined;
		if (earlier) done = done ? chain(earlier, done) : earlier;
		// No Expires: 0 without a PBX address either (a new account's name looked up): it would
		// fail as an attempt, and its back-off register again instead of answering `done`.
		if (unregister && this.#boundUntil > this.#ctx.clock.now() && this.#ctx.pbx) {
			this.#leaving = done;
			this.#send(0);
			return;
		}
		this.#set("idle");
		done?.();
	}

	/** `authenticated`: the authenticated REGISTERs this attempt has sent, this one included. */
	#send(expires: number, authorization?: string, authenticated = 0): void {
		const ctx = this.#ctx;
		if (!ctx.pbx) {
			this.#fail("the PBX address is not known", 0, RETRY_AFTER_TIMEOUT);
			return;
		}
		// A refresh of a binding that holds changes nothing the door tells: it stays registered.
		this.#set(expires === 0 ? UNREGISTERING : this.#state === REGISTERED ? REGISTERED : REGISTERING);
		const branch = ctx.ids.branch();
		this.#cseq++;
		const uri = ctx.registrarUri;
		const common = ctx.common(), local = ctx.local(), identity = ctx.identityLines();
		this.#sentFrom = local.address;
		// One String#concat for the whole message (see context.ts), encoded once.
		const text = REGISTER_SP.concat(uri, SIP_2_0_CRLF,
			local.viaPrefix, branch, RPORT_CRLF,
			common[0], CRLF, common[1], CRLF,
			identity.fromPrefix, this.#fromTag, CRLF_TO_LT, identity.aor, GT_CRLF_CALL_ID, this.#callId,
			CRLF_CSEQ, String(this.#cseq), SP_REGISTER_CRLF,
			local.contact, authorization ? CRLF.concat(authorization, CRLF_EXPIRES) : CRLF_EXPIRES, String(expires),
			CRLF_ALLOW_END);
		const bytes = encodeUtf8(text);
		this.#pending = ctx.layer.request({
			method: REGISTER,
			branch,
			bytes,
			address: ctx.pbx.address,
			port: ctx.pbx.port,
			// Bound methods, not closures: see #answer.
			onResponse: this.#answer.bind(this, expires, uri, authenticated),
			onTimeout: this.#unanswered.bind(this, expires),
		});
	}

	/*
	 * The answer to a REGISTER asking for `expires`. A bound method with its arguments instead of
	 * a closure: on the device each function a preloaded module makes at run time costs a copy of
	 * its code in the XS heap, a bound function only references.
	 */
	#answer(expires: number, uri: string, authenticated: number, incoming: Incoming): void {
		const ctx = this.#ctx;
		const status = incoming.message.status;
		this.#heard = true;
		if (status < 200) return;
		if (status === 401 || status === 407) {
			const auth = ctx.authorization(incoming, REGISTER, uri);
			// One authenticated retry per challenge; a stale nonce earns STALE_RETRIES more.
			if ("line" in auth && (authenticated === 0 || (auth.stale && authenticated <= STALE_RETRIES))) {
				this.#send(expires, auth.line, authenticated + 1);
				return;
			}
			if (!this.#done(expires)) return;
			if ("error" in auth) this.#fail(`the registrar answered ${status} ${incoming.message.reason} with ${auth.error}`, status, RETRY_AFTER_REFUSAL);
			else if (auth.stale) this.#fail(`the registrar answered ${status} ${incoming.message.reason} with a stale nonce again`, status, RETRY_AFTER_REFUSAL);
			else this.#fail("wrong user name or password (the registrar refused the credentials)", status, RETRY_AFTER_REFUSAL);
			return;
		}
		if (status >= 200 && status < 300) {
			if (expires === 0) this.#boundUntil = 0;
			if (this.#done(expires)) this.#registered(incoming);
			return;
		}
		if (status === 423) {
			const min = Number(incoming.message.header("min-expires"));
			// Only a higher interval is worth a retry: the same one again would just loop.
			if (min > expires && min < 86400 && expires > 0) {
				this.#minExpires = min;
				this.#send(min);
				return;
			}
		}
		if (!this.#done(expires)) return;
		const reason = `the registrar answered ${status} ${incoming.message.reason}`;
		if (isTemporaryRefusal(status)) this.#fail(reason, status, RETRY_AFTER_TIMEOUT, retryAfter(incoming));
		else this.#fail(reason, status, RETRY_AFTER_REFUSAL);
	}

	#unanswered(expires: number): void {
		const ctx = this.#ctx;
		if (this.#done(expires)) this.#fail(`no answer from the PBX at ${ctx.pbx?.address}:${ctx.pbx?.port}`, 0, RETRY_AFTER_TIMEOUT);
	}

	/**
	 * Finishes a REGISTER: an unregistration completes here; true for a registration, whose
	 * outcome the caller then settles.
	 */
	#done(expires: number): boolean {
		if (expires !== 0) return true;
		this.#set("idle");
		const done = this.#leaving;
		this.#leaving = undefined;
		done?.();
		return false;
	}

	#registered(incoming: Incoming): void {
		const ctx = this.#ctx;
		const asked = ctx.config.registerExpires;
		this.granted = grantedExpiry(incoming, ctx.localAddress, ctx.localPort) ?? asked;
		this.registeredAt = ctx.clock.now();
		this.#boundUntil = this.registeredAt + this.granted * 1000;
		this.#boundFrom = this.#sentFrom;
		this.#failures = 0;
		this.lastError = "";
		this.lastStatus = 0;
		// Refresh every refreshInterval, or at half the granted time when that is sooner.
		const refresh = Math.max(1, Math.min(ctx.config.refreshInterval, Math.floor(this.granted / 2)));
		this.#schedule(refresh);
		this.#set(REGISTERED);
	}

	/** `wait`: the registrar's Retry-After (s), which replaces the back-off's delay. */
	#fail(reason: string, status: number, backoff: readonly number[], wait?: number): void {
		this.lastError = reason;
		this.lastStatus = status;
		const delay = wait ?? Math.min(backoff[1], backoff[0] * 2 ** Math.min(this.#failures, 10));
		this.#failures++;
		this.#ctx.log.warn(`SIP: registration failed: ${reason}; next try in ${delay} s`);
		this.#schedule(delay);
		this.#set("failed");
	}

	#schedule(seconds: number): void {
		this.#clear();
		this.nextAt = this.#ctx.clock.now() + seconds * 1000;
		this.#timer = this.#ctx.clock.setTimeout(this.#refresh.bind(this), seconds * 1000);
	}

	#refresh(): void {
		this.#timer = undefined;
		this.#attempt();
		// A refresh goes where the last REGISTER was answered; after a failure the PBX may have
		// moved (a FRITZ!Box given another address), so the attempt finds it first.
		if (this.#state === FAILED && this.#lookUp) this.#lookUp(this.#found.bind(this, ++this.#lookups));
		else this.#send(this.#wanted());
	}

	#found(lookup: number): void {
		if (lookup === this.#lookups) this.#send(this.#wanted());
	}

	/** Ends the attempt in flight without a word to the registrar (its lookup; no retransmission, no Timer F). */
	#abandon(): void {
		this.#lookups++;
		const pending = this.#pending;
		this.#pending = undefined;
		pending?.terminate();
	}

	#clear(): void {
		if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	/** Tells onChange only of a new state or error: an authenticated retry is no change. */
	#set(state: RegistrationState): void {
		if (state === this.#state && this.lastError === this.#toldError) return;
		this.#state = state;
		this.#toldError = this.lastError;
		this.#onChange?.(this);
	}
}

function chain(first: () => void, second: () => void): () => void {
	return () => {
		first();
		second();
	};
}

/**
 * Whether a final answer to REGISTER says that the registrar cannot take it now rather than that
 * it refuses it: a server error (5xx), 408 (the registrar timed out itself) and 480. Its attempt
 * is made again when its Retry-After says, else as after a timeout; every other refusal (the
 * credentials, an unknown user, a redirect, which the door does not follow) waits the refusal's
 * back-off.
 */
export function isTemporaryRefusal(status: number): boolean {
	return (status >= 500 && status < 600) || status === 408 || status === 480;
}

/** A Retry-After's delta-seconds (a comment and parameters may follow, RFC 3261 §20.33) within RETRY_AFTER_BOUNDS. */
function retryAfter(incoming: Incoming): number | undefined {
	const value = incoming.message.header("retry-after");
	if (value === undefined) return undefined;
	const end = digitsEnd(value, 0, value.length);
	return end === 0 ? undefined : Math.min(RETRY_AFTER_BOUNDS[1], Math.max(RETRY_AFTER_BOUNDS[0], Number(value.slice(0, end))));
}

/** The expiry the registrar granted our binding: its Contact's expires, else Expires. */
function grantedExpiry(incoming: Incoming, address: string, port: number): number | undefined {
	const contacts = incoming.message.values("contact");
	if (contacts.length === 1) {
		// A single binding is ours, whatever a NAT-aware registrar wrote into it.
		const only = parseNameAddr(contacts[0]);
		const expires = only && param(only.params, "expires");
		if (expires && isAllDigits(expires, 0, expires.length)) return Number(expires);
	}
	for (const value of contacts) {
		const contact = parseNameAddr(value);
		const uri = contact && parseSipUri(contact.uri);
		if (!contact || !uri) continue;
		if (uri.host === address && (uri.port || 5060) === port) {
			const expires = param(contact.params, "expires");
			if (expires !== undefined && isAllDigits(expires, 0, expires.length)) return Number(expires);
		}
	}
	const header = incoming.message.header("expires");
	return header !== undefined && isAllDigits(header, 0, header.length) ? Number(header) : undefined;
}
