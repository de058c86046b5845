/*
 * SIP over one UDP socket, which the transport opens itself: the local port wanted (5062) or,
 * when that is taken, the next free one above it. Datagrams in, parsed and checked, out to
 * `onMessage`; bad ones answered with an error when a response is possible (RFC 3261 §8.2,
 * §18.2.1), dropped otherwise.
 */

import type { Logger, UdpFactory, UdpSocket } from "../modules/ports.js";
import { FreePort } from "../modules/free-port.js";
import { parseSip, SipParseError, type SipMessage } from "./message.js";
import { inspect, type Essentials } from "./validate.js";
import { buildResponse } from "./serializer.js";
import { requestTag } from "./request-tag.js";
import { traceText } from "./trace-text.js";
import type { SipTraceLog } from "./trace-log.js";
import { DEFAULT_LOCAL_PORT } from "./config.js";

export interface Incoming {
	message: SipMessage;
	essentials: Essentials;
	/** Where the datagram came from; responses go back there (symmetric, as with rport). */
	address: string;
	port: number;
}

/** How the transport's socket is opened, and what it is told. */
export interface SipTransportSettings {
	/** The local port wanted (DEFAULT_LOCAL_PORT); when it is taken, the next free one above. */
	port?: number;
	/** Log every SIP message. */
	trace?: boolean;
	/** Keeps the last messages for the diagnostics page. */
	traceLog?: SipTraceLog;
	/** The socket moved to another port after it was opened (the provider found it taken late). */
	onMoved?(): void;
}

export interface SipTransportOptions extends SipTransportSettings {
	udp: UdpFactory;
	log: Logger;
	/** Every well-formed message. */
	onMessage(incoming: Incoming): void;
}

const REASONS: Record<number, string> = Object.freeze({ 400: "Bad Request", 505: "Version Not Supported" });
/** Ports tried above the wanted one before giving up. */
const TRIES = 20;

export class SipTransport {
	readonly wanted: number;
	/** Ports found taken, in the order tried. */
	readonly busy: number[];
	/** Keeps the last messages for the diagnostics page, when given. */
	readonly traceLog: SipTraceLog | undefined;
	/** Datagrams refused as malformed, since start. */
	rejected = 0;
	/** The reason the last datagram was refused. */
	lastRejection = "";
	/** Set to see every message in the log. */
	trace: boolean;
	#freePort: FreePort;
	/** The last socket opened (kept, closed, when no further port was free). */
	#socket: UdpSocket | undefined;
	#log: Logger;
	#onMessage: (incoming: Incoming) => void;

	constructor(options: SipTransportOptions) {
		this.#log = options.log;
		this.#onMessage = options.onMessage;
		this.traceLog = options.traceLog;
		this.trace = options.trace ?? false;
		this.wanted = options.port ?? DEFAULT_LOCAL_PORT;
		this.#freePort = new FreePort({
			udp: options.udp, log: options.log, name: "SIP", wanted: this.wanted, step: 1, last: 65535, tries: TRIES,
			// Bound methods, not closures: on the device a function a preloaded module makes at
			// run time costs a copy of its code in the XS heap.
			onReadable: this.#readable.bind(this),
			onOpen: this.#opened.bind(this, options.onMoved),
		});
		this.busy = this.#freePort.busy;
	}

	#opened(onMoved: (() => void) | undefined, socket: UdpSocket): void {
		const moved = this.#socket !== undefined;
		this.#socket = socket;
		if (moved) onMoved?.();
	}

	/** The bound port (0 before opening). */
	get port(): number {
		return this.#socket?.port ?? 0;
	}

	/** Whether the socket has been opened (and not closed). */
	get isOpen(): boolean {
		return this.#socket !== undefined;
	}

	/** Opens the socket; throws when no port from the wanted one up is free. */
	open(): void {
		this.#freePort.open();
	}

	close(): void {
		this.#freePort.close();
		this.#socket = undefined;
	}

	/** Drains `count` datagrams from the socket. */
	#readable(count: number): void {
		const socket = this.#socket;
		if (!socket) return;
		while (count-- > 0) {
			const packet = socket.read();
			if (!packet) break;
			this.#receive(new Uint8Array(packet), packet.address, packet.port);
		}
	}

	/** Handles one datagram. Never throws. */
	#receive(bytes: Uint8Array, address: string, port: number): void {
		let message: SipMessage;
		let essentials: Essentials;
		try {
			message = parseSip(bytes);
			essentials = inspect(message);
		} catch (error) {
			this.#refuse(error, bytes, address, port);
			return;
		}
		if (this.trace) this.#log.info(`SIP < ${address}:${port}\n${traceText(bytes)}`);
		this.traceLog?.add(false, bytes, address, port, this.port);
		try {
			this.#onMessage({ message, essentials, address, port });
		} catch (error) {
			this.#log.error(`SIP: error handling ${message.method || message.status} from ${address}:${port}: ${(error as Error)?.stack ?? error}`);
		}
	}

	/** Sends one message; false (and a log line) when the socket refuses it. */
	send(bytes: Uint8Array, address: string, port: number): boolean {
		const socket = this.#socket;
		if (!socket) return false;
		if (this.trace) this.#log.info(`SIP > ${address}:${port}\n${traceText(bytes)}`);
		this.traceLog?.add(true, bytes, address, port, this.port);
		try {
			socket.write(bytes, address, port);
			return true;
		} catch (error) {
			this.#log.warn(`SIP: send to ${address}:${port} failed: ${(error as Error)?.message ?? error}`);
			return false;
		}
	}

	#refuse(error: unknown, bytes: Uint8Array, address: string, port: number): void {
		this.rejected++;
		const parseError = error instanceof SipParseError ? error : undefined;
		this.lastRejection = parseError ? parseError.message : String(error);
		this.#log.warn(`SIP: refused a datagram from ${address}:${port}: ${this.lastRejection}`);
		const partial = parseError?.partial;
		if (!parseError || !partial || !partial.isRequest || partial.method === "ACK" || parseError.status === 0) return;
		// A malformed status line (e.g. a code of ten digits) leaves no method: it was a response, never answered.
		if (startsAsResponse(bytes)) return;
		if (partial.count("via") === 0) return;
		try {
			const status = parseError.status;
			this.send(buildResponse(partial, status, REASONS[status] ?? "Bad Request", { toTag: requestTag(partial), headers: [`Warning: 399 - "${parseError.message.replace(/["\\\r\n]/g, "'")}"`] }), address, port);
		} catch (answerError) {
			this.#log.warn(`SIP: could not answer the refused datagram: ${answerError}`);
		}
	}
}

/** Whether the datagram's first line (after any leading CRLF) starts like a status line. */
function startsAsResponse(bytes: Uint8Array): boolean {
	let i = 0;
	while (i < bytes.length && (bytes[i] === 13 || bytes[i] === 10)) i++;
	return bytes[i] === 0x53 && bytes[i + 1] === 0x49 && bytes[i + 2] === 0x50 && bytes[i + 3] === 0x2f;
}
