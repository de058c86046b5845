/*
 * What both kinds of call share once a dialog exists: requests within it (BYE, INFO, OPTIONS,
 * UPDATE, re-INVITE, ACK), the talk-time limit, hanging up, and the end of the call.
 */

import type { TimerId } from "../modules/ports.js";
import type { Endpoint, UaContext } from "./context.js";
import type { Dialog } from "./dialog.js";
import type { ServerTransaction } from "./server-transaction.js";
import type { Incoming } from "./transport.js";
import { answerOffer, buildOffer, parseSdp, readAnswer, type NegotiatedMedia } from "./sdp.js";
import { parseInfoDtmf } from "./info-dtmf.js";
import { ALLOW, REFUSED_METHODS } from "./methods.js";
import { parseNameAddr } from "./header-values.js";

export type CallState = "calling" | "ringing" | "answered" | "ending" | "ended";
export type CallDirection = "outbound" | "inbound";

export const ACCEPT = "Accept: application/sdp, application/dtmf-relay, application/dtmf";

export interface CallObserver {
	onState(call: Call): void;
	/** The dialog is confirmed and media is agreed. */
	onEstablished(call: Call): void;
	onEnded(call: Call): void;
	/** A DTMF digit carried by SIP INFO in this call, with the address and port the INFO came from. */
	onDtmf(call: Call, digit: string, source: { address: string; port: number }): void;
}

export interface LocalMedia {
	address: string;
	port: number;
	sessionId: number;
	sessionVersion: number;
	/** G.722 offered and preferred (hd_voice when the call began). */
	wideband: boolean;
}

export abstract class Call {
	abstract readonly direction: CallDirection;
	state: CallState = "calling";
	dialog: Dialog | undefined;
	media: NegotiatedMedia | undefined;
	/** Why the call ended (plain words), once ended. */
	endReason = "";
	/** Clock times (ms). */
	readonly startedAt: number;
	answeredAt = 0;
	endedAt = 0;
	/** The other party's display name or URI. */
	peer = "";
	/** Source address and port of the peer's signalling (the PBX). */
	peerAddress = "";
	peerPort = 0;
	/**
	 * The PBX when the call began, a copy: a new account unsets the context's until its name is
	 * looked up again (and may point it elsewhere), while the call's requests still go here and
	 * requests from here are still taken.
	 */
	readonly pbx: Endpoint | undefined;
	readonly localMedia: LocalMedia;
	protected ctx: UaContext;
	protected observer: CallObserver;
	#talkTimer: TimerId | undefined;
	/** A re-INVITE whose 2xx awaits its ACK (a newer re-INVITE stands for that ACK, so one at most). */
	#reinvite: ServerTransaction | undefined;
	/**
	 * Whether the door's last SDP was its own offer (an outbound call's INVITE, or the 2xx to a
	 * re-INVITE without one): offering again it sends the same SDP under the same o= version,
	 * after an answer a new one (RFC 3264 §8).
	 */
	#offerLast = true;

	constructor(ctx: UaContext, observer: CallObserver, rtpPort: number) {
		this.ctx = ctx;
		this.observer = observer;
		this.startedAt = ctx.clock.now();
		const pbx = ctx.pbx;
		this.pbx = pbx && { address: pbx.address, port: pbx.port };
		this.localMedia = { address: ctx.localAddress, port: rtpPort, sessionId: ctx.ids.int31(), sessionVersion: 1, wideband: ctx.config.hdVoice };
	}

	get callId(): string {
		return this.dialog?.callId ?? "";
	}

	/** Ends the call from our side: CANCEL, BYE or nothing, as its state needs. */
	abstract hangup(reason: string): void;

	/** Handles a request that matched this call's dialog. */
	receive(transaction: ServerTransaction, incoming: Incoming): void {
		const dialog = this.dialog!;
		const { message, essentials } = incoming;
		if (!dialog.acceptSeq(essentials.cseq.seq)) {
			transaction.respond(500, "Server Internal Error", { headers: ["Retry-After: 1"] });
			return;
		}
		switch (message.method) {
			case "BYE":
				transaction.respond(200, "OK");
				this.finish("the other side hung up");
				return;
			case "INFO": {
				transaction.respond(200, "OK");
				const digit = parseInfoDtmf(message.header("content-type") ?? "", message.body);
				if (digit !== undefined && this.state === "answered") this.observer.onDtmf(this, digit, { address: incoming.address, port: incoming.port });
				return;
			}
			case "OPTIONS":
				transaction.respond(200, "OK", { headers: [ALLOW, ACCEPT] });
				return;
			case "UPDATE":
			case "INVITE":
				this.#offerInDialog(transaction, incoming);
				return;
			default:
				if (REFUSED_METHODS.includes(message.method)) transaction.respond(405, "Method Not Allowed", { headers: [ALLOW] });
				else transaction.respond(501, "Not Implemented", { headers: [ALLOW] });
		}
	}

	/** An ACK that matched this call's dialog. */
	acknowledge(incoming: Incoming): void {
		const reinvite = this.#reinvite;
		if (!reinvite || incoming.essentials.cseq.seq !== reinvite.request.essentials.cseq.seq) return;
		reinvite.acknowledged();
		this.#reinvite = undefined;
		// A re-INVITE without an offer got the door's in its 2xx, and the ACK brings the answer (RFC 3264 §5).
		if (reinvite.request.message.bodyBytes.length === 0) this.#answerInAck(incoming);
	}

	/** Sends BYE and ends the call (whatever the answer). */
	protected bye(reason: string): void {
		if (!this.dialog || this.state === "ended" || this.state === "ending") return;
		this.setState("ending");
		const pbx = this.pbx;
		const request = this.dialog.request(this.ctx, "BYE");
		this.finish(reason);
		if (!pbx) return;
		this.ctx.layer.request({
			method: "BYE",
			branch: request.branch,
			bytes: request.bytes,
			address: pbx.address,
			port: pbx.port,
			onTimeout: this.#byeUnanswered.bind(this),
		});
	}

	#byeUnanswered(): void {
		this.ctx.log.warn(`SIP: no answer to BYE for ${this.callId}`);
	}

	/** The dialog is up: start the talk-time limit and tell the observer. */
	protected established(): void {
		this.answeredAt = this.ctx.clock.now();
		this.setState("answered");
		this.#talkTimer = this.ctx.clock.setTimeout(this.#talkLimitReached.bind(this), this.ctx.config.talkLimit * 1000);
		this.#handMedia();
		this.observer.onEstablished(this);
	}

	#talkLimitReached(): void {
		this.#talkTimer = undefined;
		this.hangup(`talk time limit of ${this.ctx.config.talkLimit} s reached`);
	}

	protected finish(reason: string): void {
		if (this.state === "ended") return;
		if (this.#talkTimer !== undefined) this.ctx.clock.clearTimeout(this.#talkTimer);
		this.#talkTimer = undefined;
		this.endReason = reason;
		this.endedAt = this.ctx.clock.now();
		this.state = "ended";
		this.cleanup();
		this.ctx.log.info(`SIP: call ${this.callId} ended: ${reason}`);
		this.ctx.media?.callEnded(this);
		this.observer.onEnded(this);
	}

	/** Stops timers of the subclass. */
	protected cleanup(): void {}

	protected setState(state: CallState): void {
		this.state = state;
		this.observer.onState(this);
	}

	/**
	 * An SDP answer to an offer, which the caller sends, or the SIP status to refuse it with; a
	 * refusal carries ACCEPT, which a 415 must (RFC 3261 §21.4.13).
	 */
	protected answerFor(incoming: Incoming): { sdp: string; media: NegotiatedMedia } | { status: number; reason: string } {
		const type = (incoming.message.header("content-type") ?? "").toLowerCase();
		if (!/^application\/sdp\b/.test(type)) return { status: 415, reason: "Unsupported Media Type" };
		let offer;
		try {
			offer = parseSdp(incoming.message.body);
		} catch (error) {
			return { status: 400, reason: `Bad SDP: ${(error as Error).message}`.replace(/[\r\n]/g, " ").slice(0, 80) };
		}
		const local = this.localMedia;
		const answer = answerOffer(offer, { address: local.address, port: local.port, sessionId: local.sessionId, sessionVersion: local.sessionVersion, wideband: local.wideband });
		if ("error" in answer) return { status: 488, reason: "Not Acceptable Here" };
		this.#offerLast = false;
		return answer;
	}

	/** Gives the agreed media to the media side. */
	#handMedia(): void {
		if (this.media) this.ctx.media?.callMedia(this, this.media);
	}

	/** Media agreed anew within the dialog. */
	#agreed(media: NegotiatedMedia): void {
		this.media = media;
		this.#handMedia();
		this.observer.onEstablished(this);
	}

	/** The SDP answer to the door's offer in a message, or why it has none that can be used. */
	protected answerIn(incoming: Incoming): NegotiatedMedia | { error: string } {
		if (incoming.message.bodyBytes.length === 0) return { error: "it has no SDP answer" };
		try {
			return readAnswer(parseSdp(incoming.message.body), this.localMedia.wideband);
		} catch (error) {
			return { error: `malformed SDP answer: ${(error as Error).message}` };
		}
	}

	/** The answer to the door's offer, in the ACK; without a usable one the media stays as it was. */
	#answerInAck(ack: Incoming): void {
		if (this.state !== "answered") return;
		const answer = this.answerIn(ack);
		if ("error" in answer) {
			this.ctx.log.warn(`SIP: the ACK to the door's offer in ${this.callId}: ${answer.error}; the media stays as it was`);
			return;
		}
		this.#agreed(answer);
	}

	/**
	 * A re-INVITE or UPDATE is a target refresh request (RFC 3261 §12.2.2, RFC 3311 §5.2): once
	 * it is answered 2xx, its Contact is where the dialog's requests go (the call moved to another
	 * device, or the handset to another address); one refused leaves the target as it was.
	 */
	#retarget(incoming: Incoming): void {
		const contact = parseNameAddr(incoming.message.values("contact")[0] ?? "");
		if (contact) this.dialog!.remoteTarget = contact.uri;
	}

	#offerInDialog(transaction: ServerTransaction, incoming: Incoming): void {
		// An UPDATE's offer while the door's own offer (in a re-INVITE's 2xx) waits for its answer
		// in the ACK would make two offers at once: RFC 3311 §5.2 has it refused, and the peer
		// tries again later (once the ACK has come, the door takes it).
		const reinvite = this.#reinvite;
		if (incoming.message.method === "UPDATE" && incoming.message.bodyBytes.length > 0 && reinvite && reinvite.request.message.bodyBytes.length === 0) {
			transaction.respond(491, "Request Pending");
			return;
		}
		// The peer starts an INVITE transaction only once it has ACKed the last one (RFC 3261 §14.1):
		// a newer re-INVITE stands for the ACK of the earlier one's 2xx, which is lost or late.
		if (incoming.message.method === "INVITE") {
			this.#reinvite?.acknowledged();
			this.#reinvite = undefined;
		}
		const contact = [this.ctx.contact(), ALLOW];
		if (incoming.message.bodyBytes.length === 0) {
			// The 2xx to an INVITE without an offer must carry one (RFC 3261 §14.2, RFC 3264 §5).
			if (incoming.message.method === "INVITE") {
				if (!this.#offerLast) this.localMedia.sessionVersion++;
				this.#offerLast = true;
				transaction.respond(200, "OK", { headers: contact, body: buildOffer(this.localMedia) });
			} else transaction.respond(200, "OK", { headers: contact });
		} else {
			this.localMedia.sessionVersion++;
			const answer = this.answerFor(incoming);
			if ("status" in answer) {
				// A refusal carries no SDP: the version counts the descriptions sent (RFC 3264 §8).
				this.localMedia.sessionVersion--;
				transaction.respond(answer.status, answer.reason, { headers: [ACCEPT] });
				return;
			}
			transaction.respond(200, "OK", { headers: contact, body: answer.sdp });
			this.#agreed(answer.media);
		}
		this.#retarget(incoming);
		if (incoming.message.method === "INVITE") {
			this.#reinvite = transaction;
			transaction.onAckTimeout = () => {
				if (this.state === "answered") this.hangup("no ACK for the re-INVITE");
			};
		}
	}
}
