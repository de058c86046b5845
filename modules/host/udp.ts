/*
 * The UDP port on Node: a dgram socket behind the ECMA-419 shape (onReadable with a count,
 * read() returning an ArrayBuffer with address and port, write(data, address, port)).
 */

import dgram from "node:dgram";
import type { Datagram, UdpOptions, UdpSocket } from "../ports.js";

class NodeUdpSocket implements UdpSocket {
	#socket: dgram.Socket;
	#queue: Datagram[] = [];
	#port: number;

	constructor(socket: dgram.Socket, options: UdpOptions) {
		this.#socket = socket;
		this.#port = options.port ?? 0;
		socket.on("listening", () => (this.#port = socket.address().port));
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
		const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
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
 * Opens a UDP socket as the ECMA-419 constructor does: at once. Node binds in the background
 * (sends wait for it); a port that is taken is reported through onError with code EADDRINUSE.
 */
export function createUdp(options: UdpOptions): UdpSocket {
	const socket = dgram.createSocket({ type: "udp4", reuseAddr: false });
	const udp = new NodeUdpSocket(socket, options);
	socket.bind(options.port ?? 0, options.address ?? "0.0.0.0");
	return udp;
}
