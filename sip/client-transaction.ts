/*
 * Client transactions over UDP (RFC 3261 §17.1, with the Accepted state of RFC 6026):
 * INVITE with Timers A, B, D, M; non-INVITE with Timers E, F, K.
 */

import type { Clock, TimerId } from "../modules/ports.js";
import type { Incoming } from "./transport.js";
import type { TimerValues } from "./timers.js";

const BAR = "|", INVITE = "INVITE";

/** The key of a client transaction: top-Via branch and CSeq method (RFC 3261 §17.1.3). */
export function clientKey(branch: string, method: string): string {
	return branch.concat(BAR, method);
}

export type ClientState = "calling" | "proceeding" | "accepted" | "completed" | "terminated";

export interface ClientHost {
	clock: Clock;
	timers: TimerValues;
	send(bytes: Uint8Array, address: string, port: number): boolean;
	forget(transaction: ClientTransaction): void;
}

export interface ClientRequest {
	method: string;
	branch: string;
	bytes: Uint8Array;
	address: string;
	port: number;
	/*
	 * The callbacks are functions made once or bound methods where they are long-lived: on the
	 * device a function a preloaded module makes at run time costs a copy of its code in the XS
	 * heap for as long as the transaction lives (up to 32 s after an INVITE's 2xx).
	 */
	/** Every response the TU must see (retransmitted finals are absorbed, 2xx to INVITE are not); absent when the TU does not care. */
	onResponse?(incoming: Incoming): void;
	/** No final response in time (Timer B or F), or the transport failed; absent when the TU does not care. */
	onTimeout?(): void;
	/** INVITE only: the ACK for a non-2xx final response (same branch, RFC 3261 §17.1.1.3). */
	ackFor?(incoming: Incoming): Uint8Array;
}

export class ClientTransaction {
	readonly key: string;
	#host: ClientHost;
	#request: ClientRequest;
	#state: ClientState = "calling";
	/*
	 * One timer at a time: while calling or proceeding it fires at the next retransmission
	 * (Timer A or E) or at Timer B or F, whichever is sooner; once completed or accepted it is
	 * Timer D, K or M. One clock timer and one callback instead of two.
	 */
	#timer: TimerId | undefined;
	/** #fire bound once (a bound function, not a closure with its own code). */
	#tick = this.#fire.bind(this);
	#interval = 0;
	/** Clock time (ms) of Timer B or F. */
	#deadlineAt = 0;
	#ack: Uint8Array | undefined;

	constructor(host: ClientHost, request: ClientRequest) {
		this.#host = host;
		this.#request = request;
		this.key = clientKey(request.branch, request.method);
	}

	get method(): string {
		return this.#request.method;
	}

	get branch(): string {
		return this.#request.branch;
	}

	get state(): ClientState {
		return this.#state;
	}

	get #invite(): boolean {
		return this.#request.method === INVITE;
	}

	start(): void {
		const { clock, timers } = this.#host;
		this.#interval = timers.T1;
		// Timer B / Timer F.
		const deadline = 64 * timers.T1;
		this.#deadlineAt = clock.now() + deadline;
		this.#send();
		this.#timer = clock.setTimeout(this.#tick, Math.min(this.#interval, deadline));
	}

	/** Handles a response matched to this transaction. */
	receive(incoming: Incoming): void {
		const status = incoming.message.status;
		const { clock, timers } = this.#host;
		switch (this.#state) {
			case "calling":
			case "proceeding":
				if (status < 200) {
					// An INVITE stops Timers A and B; a non-INVITE retransmits at T2 from now on.
					if (this.#invite) this.#clearTimer();
					else if (this.#state === "calling") this.#interval = timers.T2;
					this.#state = "proceeding";
					this.#request.onResponse?.(incoming);
					return;
				}
				this.#clearTimer();
				if (this.#invite && status < 300) {
					this.#state = "accepted";
					this.#timer = clock.setTimeout(this.#tick, 64 * timers.T1); // Timer M
				} else {
					this.#state = "completed";
					if (this.#invite) {
						this.#ack = this.#request.ackFor?.(incoming);
						if (this.#ack) this.#host.send(this.#ack, this.#request.address, this.#request.port);
					}
					// Timer D (≥ 32 s for UDP) or Timer K (T4).
					this.#timer = clock.setTimeout(this.#tick, this.#invite ? Math.max(32000, 64 * timers.T1) : timers.T4);
				}
				this.#request.onResponse?.(incoming);
				return;
			case "accepted":
				// Retransmitted 2xx (or the 2xx of another fork) goes to the TU, which ACKs it again.
				if (status >= 200 && status < 300) this.#request.onResponse?.(incoming);
				return;
			case "completed":
				if (this.#invite && status >= 300 && this.#ack) this.#host.send(this.#ack, this.#request.address, this.#request.port);
				return;
			case "terminated":
				return;
		}
	}

	/** Ends the transaction at once, without telling the TU. */
	terminate(): void {
		if (this.#state === "terminated") return;
		this.#state = "terminated";
		this.#clearTimer();
		this.#host.forget(this);
	}

	#send(): void {
		if (!this.#host.send(this.#request.bytes, this.#request.address, this.#request.port)) {
			// A transport error ends the transaction as a timeout would (RFC 3261 §17.1.4).
			this.#host.clock.setTimeout(this.#timeout.bind(this), 0);
		}
	}

	/** The next retransmission, or Timer B / F when that comes first. */
	#arm(): void {
		const clock = this.#host.clock;
		this.#timer = clock.setTimeout(this.#tick, Math.min(this.#interval, this.#deadlineAt - clock.now()));
	}

	#fire(): void {
		this.#timer = undefined;
		const state = this.#state;
		if (state !== "calling" && state !== "proceeding") {
			// Timer D, K or M.
			this.terminate();
			return;
		}
		if (this.#host.clock.now() >= this.#deadlineAt) {
			this.#timeout();
			return;
		}
		this.#send();
		// Timer A doubles without bound; Timer E doubles up to T2, and stays at T2 once proceeding.
		const timers = this.#host.timers;
		this.#interval = this.#invite ? this.#interval * 2 : Math.min(this.#interval * 2, timers.T2);
		if (state === "proceeding" && !this.#invite) this.#interval = timers.T2;
		this.#arm();
	}

	#clearTimer(): void {
		if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#timeout(): void {
		if (this.#state !== "calling" && this.#state !== "proceeding") return;
		this.terminate();
		this.#request.onTimeout?.();
	}
}
