/* ECMA-419 UDP socket (Moddable: modules/io/socket/lwip on ESP32, modules/io/socket/lin on Linux). */
declare module "embedded:io/socket/udp" {
	/** A received packet: the whole datagram, with the sender attached. */
	export type UDPPacket = ArrayBuffer & { address: string; port: number };

	export interface UDPOptions {
		/** Local port to bind; absent or 0 lets the system choose. Binding a taken port throws. */
		port?: number;
		/** Local address to bind (not honoured by every platform). */
		address?: string;
		/** Called with the number of packets waiting to be read. */
		onReadable?: (this: UDP, packets: number) => void;
		onError?: (this: UDP) => void;
		format?: "buffer";
		target?: unknown;
	}

	export default class UDP {
		constructor(options: UDPOptions);
		/** The next packet, or undefined when none is waiting. */
		read(): UDPPacket | undefined;
		/** Sends one packet; the SDK's order is buffer, then address and port. Throws when it cannot be sent. */
		write(buffer: ArrayBuffer | Uint8Array | DataView, address: string, port: number): void;
		close(): void;
		format: "buffer";
	}
}
