/*
 * A dialog (RFC 3261 §12): Call-ID and tags identify it; it keeps the CSeq numbers, the remote
 * target and route set, and builds the requests sent within it.
 */

import type { UaContext } from "./context.js";
import type { Essentials } from "./validate.js";
import { serialize } from "./serializer.js";

// Header names and framing, each one argument of String#concat (see context.ts).
const FROM = "From: ", TAG = ";tag=", TO = "To: ", CALL_ID = "Call-ID: ", CSEQ = "CSeq: ", ROUTE = "Route: ", SP = " ", EMPTY = "";
const CONTENT_TYPE = "Content-Type: ", SDP = "application/sdp", SP_SIP_2_0 = " SIP/2.0", ACK = "ACK", CANCEL = "CANCEL";

export interface DialogRequest {
	bytes: Uint8Array;
	branch: string;
	cseq: number;
}

export class Dialog {
	readonly callId: string;
	readonly localTag: string;
	remoteTag: string;
	/** From (UAC) or To (UAS) of the initial request: our side, as written there. */
	readonly localUri: string;
	/** The peer's From/To header value without tag. */
	readonly remoteUri: string;
	/** Where in-dialog requests go: the peer's Contact URI, from the dialog's start or its last target refresh. */
	remoteTarget: string;
	routeSet: string[];
	localSeq: number;
	remoteSeq: number;

	constructor(init: { callId: string; localTag: string; remoteTag: string; localUri: string; remoteUri: string; remoteTarget: string; routeSet: string[]; localSeq: number; remoteSeq: number }) {
		this.callId = init.callId;
		this.localTag = init.localTag;
		this.remoteTag = init.remoteTag;
		this.localUri = init.localUri;
		this.remoteUri = init.remoteUri;
		this.remoteTarget = init.remoteTarget;
		this.routeSet = init.routeSet;
		this.localSeq = init.localSeq;
		this.remoteSeq = init.remoteSeq;
	}

	/** Whether a request from the peer belongs to this dialog (Call-ID, both tags). */
	matches(e: Essentials): boolean {
		return e.callId === this.callId && e.toTag === this.localTag && e.fromTag === this.remoteTag;
	}

	/** Whether a request's CSeq is new (higher than the last one seen); records it when it is. */
	acceptSeq(seq: number): boolean {
		if (this.remoteSeq && seq <= this.remoteSeq) return false;
		this.remoteSeq = seq;
		return true;
	}

	/** Builds a request within the dialog with the next local CSeq (or the given one, for ACK). */
	request(ctx: UaContext, method: string, options: { cseq?: number; branch?: string; headers?: string[]; body?: string; contentType?: string } = {}): DialogRequest {
		const cseq = options.cseq ?? ++this.localSeq;
		const branch = options.branch ?? ctx.ids.branch();
		const headers = [
			ctx.via(branch),
			...ctx.common(),
			FROM.concat(this.localUri, TAG, this.localTag),
			this.remoteTag ? TO.concat(this.remoteUri, TAG, this.remoteTag) : TO.concat(this.remoteUri),
			CALL_ID.concat(this.callId),
			CSEQ.concat(String(cseq), SP, method),
		];
		for (const route of this.routeSet) headers.push(ROUTE.concat(route));
		if (method !== ACK && method !== CANCEL) headers.push(ctx.contact());
		if (options.headers) headers.push(...options.headers);
		const body = options.body ?? EMPTY;
		if (body) headers.push(CONTENT_TYPE.concat(options.contentType ?? SDP));
		return { bytes: serialize(method.concat(SP, this.remoteTarget, SP_SIP_2_0), headers, body), branch, cseq };
	}
}

/** The header value without its tag parameter. */
export function withoutTag(value: string): string {
	return value.replace(/\s*;\s*tag\s*=\s*[^;]*/i, "");
}
