/*
 * A dialog (RFC 3261 §12): Call-ID and tags identify it; it keeps the CSeq numbers, the remote
 * target and route set, and builds the requests sent within it.
 */

import type { UaContext } from "./context.js";
import type { Essentials } from "./validate.js";
import { serialize } from "./serializer.js";

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
	/** Where in-dialog requests go (the peer's Contact URI). */
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
			`From: ${this.localUri};tag=${this.localTag}`,
			`To: ${this.remoteUri}${this.remoteTag ? `;tag=${this.remoteTag}` : ""}`,
			`Call-ID: ${this.callId}`,
			`CSeq: ${cseq} ${method}`,
		];
		for (const route of this.routeSet) headers.push(`Route: ${route}`);
		if (method !== "ACK" && method !== "CANCEL") headers.push(ctx.contact());
		if (options.headers) headers.push(...options.headers);
		const body = options.body ?? "";
		if (body) headers.push(`Content-Type: ${options.contentType ?? "application/sdp"}`);
		return { bytes: serialize(`${method} ${this.remoteTarget} SIP/2.0`, headers, body), branch, cseq };
	}
}

/** The header value without its tag parameter. */
export function withoutTag(value: string): string {
	return value.replace(/\s*;\s*tag\s*=\s*[^;]*/i, "");
}
