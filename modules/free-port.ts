/*
 * A local UDP port that moves on when it is taken: the wanted port or, when that is busy, the
 * next one `step` above it (2 keeps RTP on even ports), at most `tries` steps up. A provider that
 * reports a taken port later (Node binds in the background) moves it on the same way. The busy
 * ports are remembered for the status. The log names the port it listens on once the provider
 * reports it bound, not at the open: on Node the port asked for may still turn out taken. Used for
 * the SIP and the RTP port.
 */

import { NO_NETWORK, type Logger, type UdpFactory, type UdpSocket } from "./ports.js";

export interface FreePortOptions {
	udp: UdpFactory;
	log: Logger;
	/** What the port is for, in log lines and errors ("SIP", "RTP"). */
	name: string;
	wanted: number;
	/** 1, or 2 for even ports. */
	step: number;
	/** The highest port it may take. */
	last: number;
	tries: number;
	/** Called when datagrams are waiting, with their count where the provider knows it. */
	onReadable: (count: number) => void;
	/** Called with every socket opened, the first and any it moves on to. */
	onOpen?: (socket: UdpSocket) => void;
}

export class FreePort {
	readonly wanted: number;
	/** Ports found taken, in the order tried. */
	readonly busy: number[] = [];
	#options: FreePortOptions;
	#socket: UdpSocket | undefined;
	#bound = 0;
	// A bound method, not a closure per open: on the device a function a preloaded module makes
	// at run time costs a copy of its code in the XS heap.
	readonly #onBound = this.#listening.bind(this);

	constructor(options: FreePortOptions) {
		this.#options = options;
		this.wanted = options.wanted;
	}

	/** The open socket; undefined when closed or when no port was free. */
	get socket(): UdpSocket | undefined {
		return this.#socket;
	}

	/** The port asked for when the socket was opened. */
	get bound(): number {
		return this.#bound;
	}

	open(): UdpSocket {
		return this.#open(this.wanted);
	}

	close(): void {
		this.#socket?.close();
		this.#socket = undefined;
	}

	#open(port: number): UdpSocket {
		const o = this.#options;
		for (;;) {
			if (port > this.wanted + o.step * o.tries || port > o.last) throw new Error(`no free ${o.step === 2 ? "even " : ""}UDP port for ${o.name} between ${this.wanted} and ${port - o.step}`);
			try {
				const socket: UdpSocket = o.udp({
					port,
					onReadable: o.onReadable,
					onError: (error) => this.#error(socket, port, error),
					onBound: this.#onBound,
				});
				this.#socket = socket;
				this.#bound = port;
				o.onOpen?.(socket);
				return socket;
			} catch (error) {
				if (!isBusy(error)) throw error;
				this.#taken(port);
				port += o.step;
			}
		}
	}

	#error(socket: UdpSocket, port: number, error: Error): void {
		const o = this.#options;
		if (!isBusy(error) || socket !== this.#socket) {
			o.log.warn(`${o.name} socket: ${error.message}`);
			return;
		}
		socket.close();
		this.#taken(port);
		try {
			this.#open(port + o.step);
		} catch (failure) {
			this.#socket = undefined;
			o.log.error(`${o.name} socket: ${(failure as Error).message}`);
		}
	}

	/** The provider bound a socket (the device before the factory returns: no socket to look at yet). */
	#listening(port: number): void {
		this.#options.log.info(`${this.#options.name}: listening on UDP ${port}`);
	}

	#taken(port: number): void {
		this.busy.push(port);
		this.#options.log.warn(`${this.#options.name}: local port ${port} is busy; trying ${port + this.#options.step}`);
	}
}

/** Whether an open was refused for want of a network (NO_NETWORK): it can be tried again once there is one. */
export function isNoNetwork(error: unknown): boolean {
	return (error as { code?: string })?.code === NO_NETWORK;
}

function isBusy(error: unknown): boolean {
	const e = error as { code?: string; message?: string };
	return e?.code === "EADDRINUSE" || /in use|EADDRINUSE/i.test(e?.message ?? "");
}
