/*
 * The local SIP port: 5062 by default, never the PBX's 5060. When it is taken, the next free
 * port above it is used and the busy ones are remembered for the status.
 */

import type { Logger, UdpFactory, UdpSocket } from "../modules/ports.js";
import { FreePort } from "../modules/free-port.js";

const TRIES = 20;

export class SipSocket {
	#port: FreePort;
	/** The last socket opened (kept, closed, when no further port was free). */
	#socket: UdpSocket | undefined;
	readonly wanted: number;
	/** Ports found taken, in the order tried. */
	readonly busy: number[];

	constructor(udp: UdpFactory, log: Logger, wanted: number, onReadable: (count: number) => void, onChange: (socket: UdpSocket) => void) {
		this.wanted = wanted;
		this.#port = new FreePort({
			udp, log, name: "SIP", wanted, step: 1, last: 65535, tries: TRIES, onReadable,
			onOpen: (socket) => {
				this.#socket = socket;
				onChange(socket);
			},
		});
		this.busy = this.#port.busy;
	}

	get socket(): UdpSocket | undefined {
		return this.#socket;
	}

	get port(): number {
		return this.#socket?.port ?? 0;
	}

	open(): UdpSocket {
		return this.#port.open();
	}

	close(): void {
		this.#port.close();
		this.#socket = undefined;
	}
}
