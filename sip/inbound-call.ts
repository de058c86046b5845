/*
 * A call from a handset to the door: answered at once with 200 OK and an SDP answer derived
 * from the offer; the 200 OK is retransmitted until the ACK comes (Timer G/H), and a call whose
 * ACK never comes is torn down.
 */

import type { UaContext } from "./context.js";
import type { ServerTransaction } from "./server-transaction.js";
import type { Incoming } from "./transport.js";
import { Call, ACCEPT, type CallObserver } from "./call.js";
import { ALLOW } from "./methods.js";
import { Dialog, withoutTag } from "./dialog.js";
import { parseNameAddr } from "./header-values.js";

export class InboundCall extends Call {
	readonly direction = "inbound";
	#invite: ServerTransaction;

	constructor(ctx: UaContext, observer: CallObserver, rtpPort: number, invite: ServerTransaction) {
		super(ctx, observer, rtpPort);
		this.#invite = invite;
		const from = parseNameAddr(invite.request.message.header("from") ?? "");
		this.peer = from?.display || from?.uri || "";
		this.peerAddress = invite.request.address;
		this.peerPort = invite.request.port;
	}

	override get callId(): string {
		return this.#invite.request.essentials.callId;
	}

	/** Answers the INVITE; returns false (after a final error response) when it cannot be taken. */
	answer(): boolean {
		const incoming = this.#invite.request;
		const { message, essentials } = incoming;
		const answer = this.answerFor(incoming);
		if ("status" in answer) {
			this.#invite.respond(answer.status, answer.reason, { headers: [ALLOW, ACCEPT] });
			this.finish(`refused the incoming call: ${answer.status} ${answer.reason}`);
			return false;
		}
		const localTag = this.ctx.ids.tag();
		const contact = parseNameAddr(message.values("contact")[0] ?? "");
		this.dialog = new Dialog({
			callId: essentials.callId,
			localTag,
			remoteTag: essentials.fromTag,
			localUri: withoutTag(message.header("to") ?? ""),
			remoteUri: withoutTag(message.header("from") ?? ""),
			remoteTarget: contact?.uri ?? `sip:${incoming.address}:${incoming.port}`,
			routeSet: message.values("record-route"),
			localSeq: this.ctx.ids.int31() % 10000,
			remoteSeq: essentials.cseq.seq,
		});
		this.media = answer.media;
		// Timer H fires 32 s on: by then the call may have ended (the caller's BYE came although its
		// ACK was lost) and another call may be up. Only this call, still answered, is hung up.
		this.#invite.onAckTimeout = () => {
			if (this.state === "answered") this.bye("the caller never acknowledged the answer (no ACK)");
		};
		const headers = [this.ctx.contact(), ALLOW];
		for (const route of message.values("record-route")) headers.push(`Record-Route: ${route}`);
		this.#invite.respond(200, "OK", { toTag: localTag, headers, body: answer.sdp });
		this.established();
		return true;
	}

	/** An ended call's INVITE transaction may outlive it: its Timer H must do nothing then. */
	protected override cleanup(): void {
		this.#invite.onAckTimeout = undefined;
	}

	/** The ACK for our 200 OK (or for a re-INVITE's) arrived. */
	override acknowledge(incoming: Incoming): void {
		if (incoming.essentials.cseq.seq === this.#invite.request.essentials.cseq.seq) this.#invite.acknowledged();
		else super.acknowledge(incoming);
	}

	/** A CANCEL for our INVITE: too late once answered (RFC 3261 §9.2), so only a BYE ends it. */
	hangup(reason: string): void {
		if (this.state === "answered") this.bye(reason);
		else this.finish(reason);
	}
}
