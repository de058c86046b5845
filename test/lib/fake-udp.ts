import type { Datagram, UdpSocket } from "../../modules/ports.js";
import { decodeUtf8, encodeUtf8 } from "../../modules/text.js";

export interface Sent {
	address: string;
	port: number;
	text: string;
}

/** A UDP socket in memory: what is written is kept, what a test delivers is read. */
export class FakeUdp implements UdpSocket {
	readonly port: number;
	readonly sent: Sent[] = [];
	onReadable: (count: number) => void = () => {};
	#queue: Datagram[] = [];

	constructor(port: number) {
		this.port = port;
	}

	read(): Datagram | undefined {
		return this.#queue.shift();
	}

	write(data: ArrayBuffer | ArrayBufferView, address: string, port: number): void {
		const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
		this.sent.push({ address, port, text: decodeUtf8(bytes) });
	}

	close(): void {}

	/** Delivers a datagram as if it came from address:port. */
	deliver(data: string | Uint8Array, address: string, port: number): void {
		const bytes = typeof data === "string" ? encodeUtf8(data) : data;
		const packet = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as Datagram;
		packet.address = address;
		packet.port = port;
		this.#queue.push(packet);
		this.onReadable(this.#queue.length);
	}

	/** Removes and returns what was sent so far. */
	take(): Sent[] {
		return this.sent.splice(0, this.sent.length);
	}
}

/** A deterministic RandomBytes for tests. */
export function seededRandom(seed = 1): (target: Uint8Array) => void {
	let state = seed >>> 0 || 1;
	return (target) => {
		for (let i = 0; i < target.length; i++) {
			state ^= state << 13;
			state ^= state >>> 17;
			state ^= state << 5;
			target[i] = state & 0xff;
		}
	};
}
