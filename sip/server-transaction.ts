/*
 * Server transactions over UDP (RFC 3261 §17.2, with RFC 6026): retransmitted requests are
 * absorbed by resending the last response; final responses to INVITE are retransmitted
 * (Timer G) until the ACK comes or Timer H runs out; Timers I and J let stragglers die out.
 */

import type { Clock, TimerId } from "../modules/ports.js";
import type { Incoming } from "./transport.js";
import type { TimerValues } from "./timers.js";
import type { IdSource } from "./ids.js";
import { buildResponse, type ResponseOptions } from "./serializer.js";

export type ServerState = "proceeding" | "accepted" | "completed" | "confirmed" | "terminated";

export interface ServerHost {
	clock: Clock;
	timers: TimerValues;
	/** Makes the To tags of responses to requests without one. */
	ids: IdSource;
	send(bytes: Uint8Array, address: string, port: number): boolean;
	forget(transaction: ServerTransaction): void;
}

export class ServerTransaction {
	readonly key: string;
	readonly method: string;
	/** Where the request came from; responses go there. */
	readonly address: string;
	readonly port: number;
	/** Called when a final response to INVITE is never acknowledged (Timer H). */
	onAckTimeout: (() => void) | undefined;
	#host: ServerHost;
	#state: ServerState = "proceeding";
	#last: Uint8Array | undefined;
	#status = 0;
	#retransmit: TimerId | undefined;
	#interval = 0;
	#deadline: TimerId | undefined;
	#request: Incoming | undefined;
	#toTag: string | undefined;
	/*
	 * The timers' callbacks, bound once: on the device a function a preloaded module makes at run
	 * time costs a copy of its code in the XS heap, a bound function only references.
	 */
	#onRetransmit = this.#retransmitFired.bind(this);
	#onDeadline = this.#deadlineFired.bind(this);

	constructor(host: ServerHost, key: string, request: Incoming) {
		this.#host = host;
		this.key = key;
		this.#request = request;
		this.method = request.message.method;
		this.address = request.address;
		this.port = request.port;
	}

	/**
	 * The request. A non-INVITE transaction lets it go with its final response: from then on it
	 * only resends that response, and a table full of them holds responses, not parsed requests.
	 */
	get request(): Incoming {
		if (!this.#request) throw new Error(`the ${this.method} request is no longer kept once answered`);
		return this.#request;
	}

	get state(): ServerState {
		return this.#state;
	}

	/**
	 * Whether it only absorbs retransmissions now: a final response sent (and, for a 2xx to
	 * INVITE, acknowledged). Such a transaction is the first to go when the table is full.
	 */
	get finished(): boolean {
		return this.#state === "completed" || this.#state === "confirmed" || this.#state === "terminated";
	}

	/** The status of the last response sent (0 before any). */
	get status(): number {
		return this.#status;
	}

	/**
	 * The To tag of its responses above 100 when the request's To has none: a dialog's when one
	 * was given, else one made for the first that needs it (the answer to a CANCEL of this
	 * INVITE takes it too, RFC 3261 §9.2).
	 */
	get toTag(): string {
		return this.#toTag ??= this.#host.ids.tag();
	}

	/** Sends a response; ignored once a final response has been sent. */
	respond(status: number, reason: string, options?: ResponseOptions): void {
		if (this.#state !== "proceeding") return;
		// Every response but 100 Trying carries a To tag (RFC 3261 §8.2.6.2), the same in all of a transaction's.
		if (status > 100 && !this.request.essentials.toTag) {
			if (options?.toTag) this.#toTag = options.toTag;
			options = { ...options, toTag: this.toTag };
		}
		this.#last = buildResponse(this.request.message, status, reason, options);
		this.#status = status;
		this.#host.send(this.#last, this.address, this.port);
		if (status < 200) return;
		const { clock, timers } = this.#host;
		if (this.method !== "INVITE") {
			this.#request = undefined;
			this.#state = "completed";
			this.#deadline = clock.setTimeout(this.#onDeadline, 64 * timers.T1); // Timer J
			return;
		}
		this.#state = status < 300 ? "accepted" : "completed";
		this.#interval = timers.T1;
		this.#arm();
		this.#deadline = clock.setTimeout(this.#onDeadline, 64 * timers.T1); // Timer H
	}

	/** The same request arrived again. */
	retransmission(): void {
		if (this.#last && this.#state !== "confirmed" && this.#state !== "terminated") {
			this.#host.send(this.#last, this.address, this.port);
		}
	}

	/** An ACK for this INVITE's final response arrived. */
	acknowledged(): void {
		if (this.#state !== "accepted" && this.#state !== "completed") return;
		this.#stop();
		if (this.#state === "accepted") {
			this.terminate();
			return;
		}
		this.#state = "confirmed";
		this.#deadline = this.#host.clock.setTimeout(this.#onDeadline, this.#host.timers.T4); // Timer I
	}

	terminate(): void {
		if (this.#state === "terminated") return;
		this.#state = "terminated";
		this.#stop();
		this.#host.forget(this);
	}

	#arm(): void {
		this.#retransmit = this.#host.clock.setTimeout(this.#onRetransmit, this.#interval);
	}

	/** Timer G: the final response to INVITE again, until the ACK comes. */
	#retransmitFired(): void {
		if ((this.#state !== "accepted" && this.#state !== "completed") || !this.#last) return;
		this.#host.send(this.#last, this.address, this.port);
		this.#interval = Math.min(this.#interval * 2, this.#host.timers.T2);
		this.#arm();
	}

	/** Timer J (non-INVITE), Timer I (INVITE, ACK received) or Timer H (INVITE, no ACK came). */
	#deadlineFired(): void {
		const ackMissing = this.method === "INVITE" && (this.#state === "accepted" || this.#state === "completed");
		const handler = ackMissing ? this.onAckTimeout : undefined;
		this.terminate();
		handler?.();
	}

	#stop(): void {
		const { clock } = this.#host;
		if (this.#retransmit !== undefined) clock.clearTimeout(this.#retransmit);
		if (this.#deadline !== undefined) clock.clearTimeout(this.#deadline);
		this.#retransmit = this.#deadline = undefined;
	}
}
