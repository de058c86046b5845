/*
 * Matches messages to transactions (RFC 3261 §17.1.3, §17.2.3): responses by top-Via branch and
 * CSeq method; requests by branch, sent-by and method, with the RFC 2543 fallback for old branches.
 */

import type { Clock, Logger, UdpFactory } from "../modules/ports.js";
import { SipTransport, type Incoming, type SipTransportSettings } from "./transport.js";
import { ClientTransaction, clientKey, type ClientRequest } from "./client-transaction.js";
import { ServerTransaction } from "./server-transaction.js";
import { DEFAULT_TIMERS, type TimerValues } from "./timers.js";

const MAGIC = "z9hG4bK";

export interface TransactionUser {
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
	/** Who is given new requests and the ACKs of 2xx responses. */
	user?: TransactionUser;
}

export class TransactionLayer {
	readonly clock: Clock;
	readonly timers: TimerValues;
	readonly transport: SipTransport;
	#log: Logger;
	#user: TransactionUser | undefined;
	#clients = new Map<string, ClientTransaction>();
	#servers = new Map<string, ServerTransaction>();

	constructor(options: TransactionLayerOptions) {
		this.clock = options.clock;
		this.#log = options.log;
		this.timers = options.timers ?? DEFAULT_TIMERS;
		this.#user = options.user;
		this.transport = new SipTransport({ ...options.transport, udp: options.udp, log: options.log, onMessage: (incoming) => this.#receive(incoming) });
	}

	send(bytes: Uint8Array, address: string, port: number): boolean {
		return this.transport.send(bytes, address, port);
	}

	forget(transaction: ClientTransaction | ServerTransaction): void {
		if (transaction instanceof ClientTransaction) {
			if (this.#clients.get(transaction.key) === transaction) this.#clients.delete(transaction.key);
		} else if (this.#servers.get(transaction.key) === transaction) this.#servers.delete(transaction.key);
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
		const transaction = new ServerTransaction(this, key, incoming);
		this.#servers.set(key, transaction);
		if (!this.#user) {
			this.#log.warn(`SIP: no transaction user for ${message.method}`);
			return;
		}
		this.#user.onRequest(transaction, incoming);
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
