/*
 * The local SIP port: 5062 by default, never the PBX's 5060. When it is taken, the next free
 * port above it is used and the busy ones are remembered for the status.
 */

import type { Logger, UdpFactory, UdpSocket } from "../modules/ports.js";

const TRIES = 20;

export class SipSocket {
	#udp: UdpFactory;
	#log: Logger;
	#onReadable: (count: number) => void;
	#onChange: (socket: UdpSocket) => void;
	#socket: UdpSocket | undefined;
	readonly wanted: number;
	/** Ports found taken, in the order tried. */
	readonly busy: number[] = [];

	constructor(udp: UdpFactory, log: Logger, wanted: number, onReadable: (count: number) => void, onChange: (socket: UdpSocket) => void) {
		this.#udp = udp;
		this.#log = log;
		this.wanted = wanted;
		this.#onReadable = onReadable;
		this.#onChange = onChange;
	}

	get socket(): UdpSocket | undefined {
		return this.#socket;
	}

	get port(): number {
		return this.#socket?.port ?? 0;
	}

	open(): UdpSocket {
		return this.#open(this.wanted);
	}

	close(): void {
		this.#socket?.close();
		this.#socket = undefined;
	}

	#open(port: number): UdpSocket {
		for (;;) {
			if (port > this.wanted + TRIES || port > 65535) throw new Error(`no free UDP port for SIP between ${this.wanted} and ${port - 1}`);
			try {
				const socket = this.#udp({
					port,
					onReadable: (count) => this.#onReadable(count),
					onError: (error) => this.#error(socket, port, error),
				});
				this.#socket = socket;
				this.#onChange(socket);
				return socket;
			} catch (error) {
				if (!isBusy(error)) throw error;
				this.#taken(port);
				port++;
			}
		}
	}

	#error(socket: UdpSocket, port: number, error: Error): void {
		if (!isBusy(error) || socket !== this.#socket) {
			this.#log.warn(`SIP socket: ${error.message}`);
			return;
		}
		socket.close();
		this.#taken(port);
		try {
			this.#open(port + 1);
		} catch (failure) {
			this.#log.error(`SIP socket: ${(failure as Error).message}`);
		}
	}

	#taken(port: number): void {
		this.busy.push(port);
		this.#log.warn(`SIP: local port ${port} is busy; trying ${port + 1}`);
	}
}

function isBusy(error: unknown): boolean {
	const e = error as { code?: string; message?: string };
	return e?.code === "EADDRINUSE" || /in use|EADDRINUSE/i.test(e?.message ?? "");
}
