/*
 * The UDP port on Node: a dgram socket behind the ECMA-419 shape (onReadable with a count,
 * read() returning an ArrayBuffer with address and port, write(data, address, port)). Under
 * KLINGEL_LOOPBACK_ONLY=1 (every test run) the loopback guard checks each destination first,
 * and a socket listens on 127.0.0.1 unless the caller names an address.
 */

import dgram from "node:dgram";
import type { Datagram, UdpOptions, UdpSocket } from "../ports.js";
import { loopbackGuardFromEnv, type LoopbackGuard } from "./loopback-guard.js";

class NodeUdpSocket implements UdpSocket {
	#socket: dgram.Socket;
	#queue: Datagram[] = [];
	#port: number;
	#guard: LoopbackGuard | undefined;

	constructor(socket: dgram.Socket, options: UdpOptions, guard: LoopbackGuard | undefined) {
		this.#socket = socket;
		this.#guard = guard;
		this.#port = options.port ?? 0;
		socket.on("listening", () => {
			this.#port = socket.address().port;
			options.onBound?.(this.#port);
		});
		socket.on("message", (data, info) => {
			const packet = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as Datagram;
			packet.address = info.address;
			packet.port = info.port;
			this.#queue.push(packet);
			options.onReadable?.(this.#queue.length);
		});
		socket.on("error", (error) => options.onError?.(error));
	}

	get port(): number {
		return this.#port;
	}

	read(): Datagram | undefined {
		return this.#queue.shift();
	}

	write(data: ArrayBuffer | ArrayBufferView, address: string, port: number): void {
		if (this.#guard && !this.#guard.allowsSend(`UDP from port ${this.#port}`, address, port)) return;
		// A copy: Node sends later and reads the bytes then, while the port (as the SDK's socket,
		// which copies into a network buffer at once) lets the caller reuse them at once.
		const bytes = data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
		this.#socket.send(bytes, port, address);
	}

	close(): void {
		try {
			this.#socket.close();
		} catch {
			// already closed
		}
	}
}

/**
 * Where a socket listens under the guard when the caller names no address: the tests reach it
 * only over loopback, and a machine on the LAN could otherwise reach a test's SIP and RTP ports
 * and upset it with its packets.
 */
const GUARDED_BIND_ADDRESS = "127.0.0.1";

/**
 * Opens a UDP socket as the ECMA-419 constructor does: at once. Node binds in the background
 * (sends wait for it); a port that is taken is reported through onError with code EADDRINUSE,
 * the port bound through onBound.
 * Node opens a socket with or without a network, so NO_NETWORK is never thrown here.
 * `guard` (by default the one the environment asks for) drops and reports what it refuses;
 * without one the socket listens on every address, as the simulator does beside a real PBX.
 */
export function createUdp(options: UdpOptions, guard: LoopbackGuard | undefined = loopbackGuardFromEnv()): UdpSocket {
	const socket = dgram.createSocket({ type: "udp4", reuseAddr: false });
	const udp = new NodeUdpSocket(socket, options, guard);
	socket.bind(options.port ?? 0, options.address ?? (guard ? GUARDED_BIND_ADDRESS : "0.0.0.0"));
	return udp;
}
