/*
 * Matches messages to transactions (RFC 3261 §17.1.3, §17.2.3): responses by top-Via branch and
 * CSeq method; requests by branch, sent-by and method, with the RFC 2543 fallback for old branches.
 * Requests from a sender the user refuses get 403 without a transaction; the server
 * transactions are a table of fixed size in which a stranger's entries go first.
 */

import type { Clock, Logger, UdpFactory } from "../modules/ports.js";
import { SipTransport, type Incoming, type SipTransportSettings } from "./transport.js";
import { ClientTransaction, clientKey, type ClientRequest } from "./client-transaction.js";
import { ServerTransaction } from "./server-transaction.js";
import { DEFAULT_TIMERS, type TimerValues } from "./timers.js";
import { RefusedAnswers } from "./refused-answers.js";
import { buildResponse } from "./serializer.js";
import type { IdSource } from "./ids.js";

const MAGIC = "z9hG4bK";

/**
 * Server transactions kept at once. An answered non-INVITE one holds only its response (about
 * 0.4 KB) and a timer; an INVITE one holds its request too (a FRITZ!Box INVITE with SDP is about
 * 0.9 KB of text plus its parsed index), some 2.5 KB on XS. A flood fills the table with the
 * former: 16 of them and the 8 kept refusals are about 23 KB of the ESP32-S3's ~270 KB
 * (`npm run bench -- sip-flood`). The PBX's traffic at the door within Timer J's 32 s is far
 * less: a call's INVITE, re-INVITE or UPDATE, one INFO per digit of an 8-digit code with # and
 * a few retries, BYE, OPTIONS keep-alives. When the table is full a new request takes the place
 * of, in this order, the oldest finished transaction of a stranger, any stranger's, the oldest
 * finished one of the PBX, the oldest of all (a finished transaction only absorbs
 * retransmissions; one still waiting for the TU's answer or for the ACK of a 2xx goes last).
 */
export const MAX_SERVER_TRANSACTIONS = 16;
/**
 * Of those, the most that senders other than the PBX may hold (there are any only with
 * allow_any_src): a stranger's flood recycles these and never takes the PBX's share.
 */
export const MAX_STRANGER_TRANSACTIONS = 4;

/** Who sent a new request: the PBX, another sender who is served, or one refused with 403. */
export type Sender = "pbx" | "stranger" | "refused";

export interface TransactionUser {
	/** Who sent a new request (a refused one gets 403 without a transaction; retransmissions are not asked about). */
	sender(incoming: Incoming): Sender;
	/** A request was refused with 403 (called once, not for its retransmissions). */
	onRefused?(incoming: Incoming): void;
	/** A new request (not a retransmission), with its server transaction. */
	onRequest(transaction: ServerTransaction, incoming: Incoming): void;
	/** An ACK that matches no server transaction: the ACK for a 2xx, for the dialog layer. */
	onAck(incoming: Incoming): void;
	/** A response matching no client transaction (e.g. a 2xx retransmitted after Timer M). */
	onStrayResponse?(incoming: Incoming): void;
}

export interface TransactionLayerOptions {
	udp: UdpFactory;
	clock: Clock;
	log: Logger;
	/** The transport's socket: the layer opens it through its own transport, whose messages come here. */
	transport?: SipTransportSettings;
	timers?: TimerValues;
	/** Makes the To tags of responses to requests without one. */
	ids: IdSource;
	/** Who is given new requests and the ACKs of 2xx responses. */
	user?: TransactionUser;
}

export class TransactionLayer {
	readonly clock: Clock;
	readonly timers: TimerValues;
	readonly transport: SipTransport;
	readonly ids: IdSource;
	#log: Logger;
	#user: TransactionUser | undefined;
	#clients = new Map<string, ClientTransaction>();
	#servers = new Map<string, ServerTransaction>();
	/** The server transactions of senders other than the PBX. */
	#strangers = new Set<ServerTransaction>();
	#refused: RefusedAnswers;
	/** Requests refused with 403 since start (retransmissions not counted). */
	refusedTotal = 0;

	constructor(options: TransactionLayerOptions) {
		this.clock = options.clock;
		this.#log = options.log;
		this.timers = options.timers ?? DEFAULT_TIMERS;
		this.ids = options.ids;
		this.#refused = new RefusedAnswers(64 * this.timers.T1);
		this.#user = options.user;
		this.transport = new SipTransport({ ...options.transport, udp: options.udp, log: options.log, onMessage: this.#receive.bind(this) });
	}

	get clientCount(): number {
		return this.#clients.size;
	}

	get serverCount(): number {
		return this.#servers.size;
	}

	/** Server transactions of senders other than the PBX. */
	get strangerCount(): number {
		return this.#strangers.size;
	}

	/** Refusals whose answer is still kept for retransmissions. */
	get refusedCount(): number {
		return this.#refused.count(this.clock.now());
	}

	send(bytes: Uint8Array, address: string, port: number): boolean {
		return this.transport.send(bytes, address, port);
	}

	forget(transaction: ClientTransaction | ServerTransaction): void {
		if (transaction instanceof ClientTransaction) {
			if (this.#clients.get(transaction.key) === transaction) this.#clients.delete(transaction.key);
		} else if (this.#servers.get(transaction.key) === transaction) {
			this.#servers.delete(transaction.key);
			this.#strangers.delete(transaction);
		}
	}

	/** Starts a client transaction: sends the request and retransmits it as the timers say. */
	request(request: ClientRequest): ClientTransaction {
		const transaction = new ClientTransaction(this, request);
		this.#clients.set(transaction.key, transaction);
		transaction.start();
		return transaction;
	}

	/** The server transaction of the INVITE that a CANCEL (same branch and sent-by) targets. */
	inviteFor(cancel: Incoming): ServerTransaction | undefined {
		return this.#servers.get(serverKey(cancel, "INVITE"));
	}

	#receive(incoming: Incoming): void {
		const { message, essentials } = incoming;
		if (!message.isRequest) {
			const client = this.#clients.get(clientKey(essentials.via.branch, essentials.cseq.method));
			if (client) client.receive(incoming);
			else this.#user?.onStrayResponse?.(incoming);
			return;
		}
		if (message.method === "ACK") {
			const invite = this.#servers.get(serverKey(incoming, "INVITE"));
			if (invite && invite.state === "completed") invite.acknowledged();
			else this.#user?.onAck(incoming);
			return;
		}
		const key = serverKey(incoming, message.method);
		const existing = this.#servers.get(key);
		if (existing) {
			existing.retransmission();
			return;
		}
		const user = this.#user;
		if (!user) {
			this.#log.warn(`SIP: no transaction user for ${message.method}`);
			return;
		}
		const now = this.clock.now();
		const answer = this.#refused.find(key, now);
		if (answer) {
			this.send(answer, incoming.address, incoming.port);
			return;
		}
		const sender = user.sender(incoming);
		if (sender === "refused") {
			this.refusedTotal++;
			const forbidden = buildResponse(message, 403, "Forbidden", { toTag: this.ids.tag() });
			this.#refused.remember(key, forbidden, now);
			this.send(forbidden, incoming.address, incoming.port);
			user.onRefused?.(incoming);
			return;
		}
		this.#makeRoom(sender === "stranger");
		const transaction = new ServerTransaction(this, key, incoming);
		this.#servers.set(key, transaction);
		if (sender === "stranger") this.#strangers.add(transaction);
		user.onRequest(transaction, incoming);
	}

	/** Ends transactions until a new one (a stranger's or the PBX's) fits within the bounds. */
	#makeRoom(stranger: boolean): void {
		while (stranger ? this.#strangers.size >= MAX_STRANGER_TRANSACTIONS : this.#servers.size >= MAX_SERVER_TRANSACTIONS) {
			const victim = this.#victim(stranger);
			if (!victim) return;
			victim.terminate();
			// terminate() forgets it; a transaction already terminated is dropped here.
			this.forget(victim);
		}
	}

	/** The transaction to drop first (map order is arrival order); only a stranger's for a stranger. */
	#victim(strangersOnly: boolean): ServerTransaction | undefined {
		let stranger: ServerTransaction | undefined;
		let pbxDone: ServerTransaction | undefined, oldest: ServerTransaction | undefined;
		for (const transaction of this.#servers.values()) {
			const done = transaction.finished;
			if (this.#strangers.has(transaction)) {
				if (done) return transaction; // the oldest finished one of a stranger
				stranger ??= transaction;
			} else if (!strangersOnly) {
				if (done) pbxDone ??= transaction;
				oldest ??= transaction;
			}
		}
		return strangersOnly ? stranger : stranger ?? pbxDone ?? oldest;
	}
}


function serverKey(incoming: Incoming, method: string): string {
	const { essentials } = incoming;
	const via = essentials.via;
	if (via.branch.startsWith(MAGIC) && via.branch.length > MAGIC.length) {
		return `${via.branch}|${via.host}:${via.port}|${method}`;
	}
	// RFC 2543: From tag, Call-ID, CSeq number and top Via identify the transaction.
	return `2543|${essentials.fromTag}|${essentials.callId}|${essentials.cseq.seq}|${via.host}:${via.port};${via.branch}|${method}`;
}
