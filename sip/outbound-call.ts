/*
 * The ring: INVITE to the target (e.g. **610) with a short G.711 offer, digest auth on 401/407
 * with a new branch and CSeq, CANCEL when nobody answers in time (RFC 3261 §9), ACK for the
 * 2xx (re-sent for each retransmission), and BYE for a 2xx that crosses our CANCEL.
 */

import type { TimerId } from "../modules/ports.js";
import type { UaContext } from "./context.js";
import type { ClientTransaction } from "./client-transaction.js";
import type { Incoming } from "./transport.js";
import { Call, type CallObserver } from "./call.js";
import { ALLOW } from "./methods.js";
import { Dialog, withoutTag } from "./dialog.js";
import { parseNameAddr } from "./header-values.js";
import { serialize } from "./serializer.js";
import { buildOffer, type NegotiatedMedia } from "./sdp.js";

// Header names and framing, each one argument of String#concat (see context.ts).
const LT = "<", GT = ">", TO = "To: ", CALL_ID = "Call-ID: ", CSEQ = "CSeq: ", SP_SIP_2_0 = " SIP/2.0";
const INVITE_SP = "INVITE ", ACK_SP = "ACK ", CANCEL_SP = "CANCEL ", SP_INVITE = " INVITE", SP_ACK = " ACK", SP_CANCEL = " CANCEL";
const MAX_FORWARDS = "Max-Forwards: 70", CONTENT_TYPE_SDP = "Content-Type: application/sdp";

/**
 * Other forks of one call that are ended with a BYE when they answer too. A ring group of the
 * FRITZ!Box rings a few handsets, and two answering at once is already rare; the bound keeps
 * a stream of 2xx with new To-tags from making a client transaction each.
 */
export const MAX_OTHER_FORKS = 4;

/** Whom a ring calls and under which name: a bell button's number and caller name. */
export interface RingTarget {
	target: string;
	displayName: string;
}

export class OutboundCall extends Call {
	readonly direction = "outbound";
	/** Status of the final response that ended the attempt (0 when none). */
	finalStatus = 0;
	#callId: string;
	#fromTag: string;
	#cseq = 1;
	#branch = "";
	#requestUri: string;
	#to: string;
	#transaction: ClientTransaction | undefined;
	#authTried = false;
	#provisional = false;
	#cancelled = false;
	#cancelSent = false;
	/** The ring time ran out (the cause of the CANCEL, if there is one). */
	#ringTimedOut = false;
	#ringTimer: TimerId | undefined;
	#cancelGuard: TimerId | undefined;
	#ack: Uint8Array | undefined;
	#early: NegotiatedMedia | undefined;
	/** The INVITE's SDP offer, which a retry with credentials carries again (qop auth-int covers it). */
	#offer = "";
	/** The INVITE's Authorization or Proxy-Authorization line, which the ACK of its 2xx carries too. */
	#credentials: string | undefined;
	/** To-tags of the other forks that answered too and were ended with a BYE. */
	#otherForks: string[] = [];
	/** The number rung and the display name sent (the settings' target and name unless a bell button gives its own). */
	readonly target: string;
	readonly displayName: string;

	constructor(ctx: UaContext, observer: CallObserver, rtpPort: number, ring?: RingTarget) {
		super(ctx, observer, rtpPort);
		const binding = ctx.ids.binding(ctx.localAddress);
		this.#callId = binding.callId;
		this.#fromTag = binding.tag;
		this.target = ring?.target ?? ctx.config.target;
		this.displayName = ring?.displayName ?? ctx.config.displayName;
		this.#requestUri = ctx.uriFor(this.target);
		this.#to = LT.concat(this.#requestUri, GT);
		this.peer = this.target;
	}

	override get callId(): string {
		return this.#callId;
	}

	/** The door ended the ring itself (its ring time ran out, or it hung up before an answer): whatever final response comes after is no refusal. */
	get cancelled(): boolean {
		return this.#cancelled;
	}

	start(): void {
		this.ctx.log.info(`SIP: ringing ${this.#requestUri}`);
		this.#ringTimer = this.ctx.clock.setTimeout(() => {
			this.#ringTimer = undefined;
			this.#ringTimedOut = true;
			this.hangup(`nobody answered within ${this.ctx.config.ringTimeout} s`);
		}, this.ctx.config.ringTimeout * 1000);
		this.#invite(undefined);
	}

	hangup(reason: string): void {
		if (this.state === "answered") this.bye(reason);
		else if (this.state === "calling" || this.state === "ringing") this.#cancel(reason);
	}

	protected override cleanup(): void {
		const { clock } = this.ctx;
		if (this.#ringTimer !== undefined) clock.clearTimeout(this.#ringTimer);
		if (this.#cancelGuard !== undefined) clock.clearTimeout(this.#cancelGuard);
		this.#ringTimer = this.#cancelGuard = undefined;
	}

	#invite(authorization: string | undefined): void {
		const ctx = this.ctx;
		const pbx = this.pbx;
		if (!pbx) {
			this.finish("the PBX address is not known");
			return;
		}
		this.#branch = ctx.ids.branch();
		// A CANCEL needs a provisional response to this INVITE, not to the one challenged before it (RFC 3261 §9.1).
		this.#provisional = false;
		this.#credentials = authorization;
		const local = this.localMedia;
		const offer = this.#offer = buildOffer({ address: local.address, port: local.port, sessionId: local.sessionId, sessionVersion: local.sessionVersion, ptime: 20, direction: "sendrecv", wideband: local.wideband });
		const headers = [ctx.via(this.#branch), ...ctx.common(), ctx.fromAs(this.displayName, this.#fromTag), TO.concat(this.#to), CALL_ID.concat(this.#callId), CSEQ.concat(String(this.#cseq), SP_INVITE), ctx.contact(), ALLOW];
		if (authorization) headers.push(authorization);
		headers.push(CONTENT_TYPE_SDP);
		const bytes = serialize(INVITE_SP.concat(this.#requestUri, SP_SIP_2_0), headers, offer);
		this.#transaction = ctx.layer.request({
			method: "INVITE",
			branch: this.#branch,
			bytes,
			address: pbx.address,
			port: pbx.port,
			// Bound methods, not closures (see ClientRequest): the INVITE's transaction lives on
			// for 32 s after the answer.
			onResponse: this.#response.bind(this),
			onTimeout: this.#unanswered.bind(this, pbx.address, pbx.port),
			ackFor: this.#nonSuccessAck.bind(this),
		});
	}

	#unanswered(address: string, port: number): void {
		this.finish(this.#cancelled ? this.endReason || "cancelled" : `no answer from the PBX at ${address}:${port}`);
	}

	#response(incoming: Incoming): void {
		const { message } = incoming;
		const status = message.status;
		if (this.state === "ended" && !(status >= 200 && status < 300)) return;
		if (status < 200) {
			// Any provisional response, 100 Trying too, lets a CANCEL go (RFC 3261 §9.1).
			this.#provisional = true;
			if (status > 100) {
				if (this.state === "calling") this.setState("ringing");
				if (message.bodyBytes.length) this.#early = this.#media(incoming) ?? this.#early;
			}
			if (this.#cancelled && !this.#cancelSent) this.#sendCancel();
			return;
		}
		if (status < 300) {
			this.#success(incoming);
			return;
		}
		let unanswerable = "";
		if ((status === 401 || status === 407) && !this.#authTried && !this.#cancelled) {
			const auth = this.ctx.authorization(incoming, "INVITE", this.#requestUri, this.#offer);
			if ("line" in auth) {
				this.#authTried = true;
				this.#cseq++;
				this.#invite(auth.line);
				return;
			}
			unanswerable = ` with ${auth.error}`;
		}
		this.finalStatus = status;
		if (this.#cancelled) this.finish(this.endReason || "cancelled");
		else this.finish(`the PBX refused the call to ${this.target}: ${status} ${message.reason}${unanswerable}`);
	}

	#success(incoming: Incoming): void {
		const ctx = this.ctx;
		const pbx = this.pbx!;
		const toTag = incoming.essentials.toTag;
		if (this.dialog) {
			// A retransmitted 2xx gets the same ACK; a 2xx from another fork gets its own ACK and a BYE.
			if (toTag === this.dialog.remoteTag) {
				if (this.#ack) ctx.layer.send(this.#ack, pbx.address, pbx.port);
			} else {
				const other = this.#dialogFor(incoming);
				ctx.layer.send(this.#ackIn(other), pbx.address, pbx.port);
				// Each other fork is ended once (its retransmitted 2xx only gets the ACK again), and
				// at most MAX_OTHER_FORKS of them: each BYE is a client transaction for up to 32 s.
				if (this.#otherForks.includes(toTag) || this.#otherForks.length >= MAX_OTHER_FORKS) return;
				this.#otherForks.push(toTag);
				const bye = other.request(ctx, "BYE");
				ctx.layer.request({ method: "BYE", branch: bye.branch, bytes: bye.bytes, address: pbx.address, port: pbx.port });
			}
			return;
		}
		this.dialog = this.#dialogFor(incoming);
		this.#ack = this.#ackIn(this.dialog);
		ctx.layer.send(this.#ack, pbx.address, pbx.port);
		this.peerAddress = incoming.address;
		this.peerPort = incoming.port;
		// The final answer's SDP wins over an early one.
		const media = incoming.message.bodyBytes.length ? this.#media(incoming) : this.#early;
		if (this.#cancelled) {
			// Answered after all: the log says so, not the reason of a CANCEL that came too late.
			const crossed = this.#cancelSent ? "the 200 OK crossed the CANCEL" : "the 200 OK came before a CANCEL could be sent";
			const why = this.#ringTimedOut ? `the ring time of ${ctx.config.ringTimeout} s ran out (${crossed})` : `it was being cancelled (${this.endReason || "cancelled"}; ${crossed})`;
			this.state = "answered";
			this.bye(`answered just as ${why}: hung up with BYE`);
			return;
		}
		if (!media) {
			this.state = "answered";
			this.bye("the answer had no usable audio (PCMU/PCMA)");
			return;
		}
		this.media = media;
		if (this.#ringTimer !== undefined) ctx.clock.clearTimeout(this.#ringTimer);
		this.#ringTimer = undefined;
		const to = parseNameAddr(incoming.message.header("to") ?? "");
		if (to?.display) this.peer = to.display;
		this.established();
	}

	/** The ACK of a 2xx: the INVITE's CSeq number and the same credentials as the INVITE (RFC 3261 §13.2.2.4). */
	#ackIn(dialog: Dialog): Uint8Array {
		const credentials = this.#credentials;
		return dialog.request(this.ctx, "ACK", credentials ? { cseq: this.#cseq, headers: [credentials] } : { cseq: this.#cseq }).bytes;
	}

	#dialogFor(incoming: Incoming): Dialog {
		const { message, essentials } = incoming;
		const contact = parseNameAddr(message.values("contact")[0] ?? "");
		const routes = message.values("record-route").reverse();
		return new Dialog({
			callId: this.#callId,
			localTag: this.#fromTag,
			remoteTag: essentials.toTag,
			localUri: this.ctx.identityAs(this.displayName),
			remoteUri: withoutTag(message.header("to") ?? this.#to),
			remoteTarget: contact?.uri ?? this.#requestUri,
			routeSet: routes,
			localSeq: this.#cseq,
			remoteSeq: 0,
		});
	}

	#media(incoming: Incoming): NegotiatedMedia | undefined {
		const answer = this.answerIn(incoming);
		if (!("error" in answer)) return answer;
		this.ctx.log.warn(`SIP: unusable SDP answer: ${answer.error}`);
		return undefined;
	}

	/** ACK for a non-2xx final response: same branch and Request-URI, To with the response's tag. */
	#nonSuccessAck(incoming: Incoming): Uint8Array {
		const ctx = this.ctx;
		return serialize(ACK_SP.concat(this.#requestUri, SP_SIP_2_0), [
			ctx.via(this.#branch),
			MAX_FORWARDS,
			ctx.fromAs(this.displayName, this.#fromTag),
			TO.concat(incoming.message.header("to") ?? this.#to),
			CALL_ID.concat(this.#callId),
			CSEQ.concat(String(this.#cseq), SP_ACK),
		]);
	}

	#cancel(reason: string): void {
		if (this.#cancelled) return;
		this.#cancelled = true;
		this.endReason = reason;
		this.setState("ending");
		// CANCEL only after a provisional response (RFC 3261 §9.1); until then it waits.
		if (this.#provisional) this.#sendCancel();
		this.#cancelGuard = this.ctx.clock.setTimeout(() => {
			this.#cancelGuard = undefined;
			this.#transaction?.terminate();
			this.finish(reason);
		}, 64 * this.ctx.layer.timers.T1);
	}

	/** CANCEL: same Request-URI, branch and CSeq number as the INVITE; To without tag. */
	#sendCancel(): void {
		const ctx = this.ctx;
		const pbx = this.pbx!;
		this.#cancelSent = true;
		const bytes = serialize(CANCEL_SP.concat(this.#requestUri, SP_SIP_2_0), [
			ctx.via(this.#branch),
			...ctx.common(),
			ctx.fromAs(this.displayName, this.#fromTag),
			TO.concat(this.#to),
			CALL_ID.concat(this.#callId),
			CSEQ.concat(String(this.#cseq), SP_CANCEL),
		]);
		ctx.layer.request({ method: "CANCEL", branch: this.#branch, bytes, address: pbx.address, port: pbx.port });
	}
}
