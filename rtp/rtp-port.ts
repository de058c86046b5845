/*
 * The local RTP port: the `rtp_port` setting (40000) or, when that is taken, the next free even
 * port above it (RFC 3550 §11: RTP on even ports; an odd setting is taken as the next even port,
 * and 65535, which has none above it, as 65534). Opened once; the SDP offers `port`, the port
 * actually bound. A provider that reports a taken port later (Node binds in the background)
 * moves it on the same way. Datagrams are announced to `onReadable`.
 */

import type { Logger, UdpFactory, UdpSocket } from "../modules/ports.js";
import { FreePort } from "../modules/free-port.js";

const TRIES = 20;
/** The highest even UDP port. */
const LAST_EVEN_PORT = 65534;

/** The RTP port wanted when no setting says otherwise. */
export const DEFAULT_RTP_PORT = 40000;

export interface RtpPortOptions {
	udp: UdpFactory;
	log: Logger;
	/** The port wanted (DEFAULT_RTP_PORT); an odd one is taken as the next even one (65535 as 65534). */
	wanted?: number;
	/** Called when datagrams are waiting on `socket`. */
	onReadable?(): void;
}

export class RtpPort {
	readonly wanted: number;
	/** Ports found taken, in the order tried. */
	readonly busy: number[];
	#port: FreePort;

	constructor(options: RtpPortOptions) {
		const wanted = options.wanted ?? DEFAULT_RTP_PORT;
		this.wanted = wanted & 1 ? (wanted < LAST_EVEN_PORT ? wanted + 1 : LAST_EVEN_PORT) : wanted;
		// The callback as it is (no wrapper made here: on the device each would cost a copy of its code).
		this.#port = new FreePort({ udp: options.udp, log: options.log, name: "RTP", wanted: this.wanted, step: 2, last: LAST_EVEN_PORT, tries: TRIES, onReadable: options.onReadable ?? ignore });
		this.busy = this.#port.busy;
	}

	get socket(): UdpSocket | undefined {
		return this.#port.socket;
	}

	/** The bound port (0 when closed). */
	get port(): number {
		const socket = this.#port.socket;
		return socket ? socket.port || this.#port.bound : 0;
	}

	open(): UdpSocket {
		return this.#port.open();
	}

	close(): void {
		this.#port.close();
	}
}

function ignore(): void {}
