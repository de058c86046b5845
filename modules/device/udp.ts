/*
 * UDP for SIP and RTP over the ECMA-419 socket (`embedded:io/socket/udp`). The SDK's socket says
 * "bind failed" for a taken port, "no network" before Wi-Fi has an interface up, and reports no
 * error object; the port wants error.code "EADDRINUSE" or NO_NETWORK and an Error, so this is
 * the translation. write(data, address, port) is the SDK's.
 */

import UDP from "embedded:io/socket/udp";
import { NO_NETWORK, type Datagram, type UdpFactory, type UdpOptions, type UdpSocket } from "../ports.js";
import { isNoNetworkMessage } from "./network.js";

class DeviceUdpSocket implements UdpSocket {
	#socket: UDP | undefined;
	readonly port: number;

	constructor(options: UdpOptions) {
		const onReadable = options.onReadable;
		const onError = options.onError;
		try {
			this.#socket = new UDP({
				port: options.port ?? 0,
				// Handed on as they are (the socket calls them with itself as `this`, which the
				// callers' bound methods ignore): a wrapper made here would cost a copy of its code.
				onReadable,
				onError: onError ? () => onError(new Error("UDP socket error")) : undefined,
			});
		} catch (error) {
			throw bindError(options.port ?? 0, error);
		}
		// The SDK does not report the bound port: the one asked for is the one bound (0 = any).
		this.port = options.port ?? 0;
		// The constructor has bound it (a taken port threw above).
		options.onBound?.(this.port);
	}

	read(): Datagram | undefined {
		const packet = this.#socket?.read();
		return packet ? (packet as Datagram) : undefined;
	}

	write(data: ArrayBuffer | ArrayBufferView, address: string, port: number): void {
		const socket = this.#socket;
		if (!socket) throw new Error("UDP socket is closed");
		socket.write(bytesOf(data), address, port);
	}

	close(): void {
		// The SDK's typings leave out close(), which every ECMA-419 socket has.
		(this.#socket as unknown as { close(): void } | undefined)?.close();
		this.#socket = undefined;
	}
}

/** The socket takes an ArrayBuffer or a byte view; other views are seen through a Uint8Array. */
function bytesOf(data: ArrayBuffer | ArrayBufferView): ArrayBuffer | Uint8Array | DataView {
	if (data instanceof ArrayBuffer || data instanceof Uint8Array || data instanceof DataView) return data;
	return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function bindError(port: number, error: unknown): Error {
	const message = (error as Error)?.message ?? String(error);
	if (isNoNetworkMessage(message)) {
		const down = new Error(`UDP port ${port} cannot open yet (${message})`) as Error & { code: string };
		down.code = NO_NETWORK;
		return down;
	}
	if (port && /bind/i.test(message)) {
		const busy = new Error(`UDP port ${port} is in use (${message})`) as Error & { code: string };
		busy.code = "EADDRINUSE";
		return busy;
	}
	return error instanceof Error ? error : new Error(message);
}

export const deviceUdp: UdpFactory = (options) => new DeviceUdpSocket(options);
