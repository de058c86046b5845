/*
 * The local RTP port: the `rtp_port` setting (40000) or, when that is taken, the next free even
 * port above it (RFC 3550 §11: RTP on even ports). Opened once; the SDP offers `port`, the port
 * actually bound. A provider that reports a taken port later (Node binds in the background)
 * moves it on the same way. Datagrams are announced to `onReadable`.
 */

import type { Logger, UdpFactory, UdpSocket } from "../modules/ports.js";

const TRIES = 20;

function isBusy(error: unknown): boolean {
	const e = error as { code?: string; message?: string };
	return e?.code === "EADDRINUSE" || /in use|EADDRINUSE/i.test(e?.message ?? "");
}

export class RtpPort {
	readonly wanted: number;
	/** Ports found taken, in the order tried. */
	readonly busy: number[] = [];
	/** Called when datagrams are waiting on `socket`. */
	onReadable: (() => void) | undefined;
	#udp: UdpFactory;
	#log: Logger;
	#socket: UdpSocket | undefined;
	#port = 0;

	constructor(udp: UdpFactory, log: Logger, wanted = 40000) {
		this.#udp = udp;
		this.#log = log;
		this.wanted = wanted + (wanted & 1);
	}

	get socket(): UdpSocket | undefined {
		return this.#socket;
	}

	/** The bound port (0 when closed). */
	get port(): number {
		return this.#socket ? this.#socket.port || this.#port : 0;
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
			if (port > this.wanted + 2 * TRIES || port > 65534) throw new Error(`no free even UDP port for RTP between ${this.wanted} and ${port - 2}`);
			try {
				const socket: UdpSocket = this.#udp({
					port,
					onReadable: () => this.onReadable?.(),
					onError: (error) => this.#error(socket, port, error),
				});
				this.#socket = socket;
				this.#port = port;
				return socket;
			} catch (error) {
				if (!isBusy(error)) throw error;
				this.#taken(port);
				port += 2;
			}
		}
	}

	#error(socket: UdpSocket, port: number, error: Error): void {
		if (!isBusy(error) || socket !== this.#socket) {
			this.#log.warn(`RTP socket: ${error.message}`);
			return;
		}
		socket.close();
		this.#taken(port);
		try {
			this.#open(port + 2);
		} catch (failure) {
			this.#socket = undefined;
			this.#log.error(`RTP socket: ${(failure as Error).message}`);
		}
	}

	#taken(port: number): void {
		this.busy.push(port);
		this.#log.warn(`RTP: local port ${port} is busy; trying ${port + 2}`);
	}
}
