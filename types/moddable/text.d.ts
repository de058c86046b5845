/* Moddable `text/decoder` and `text/encoder` (modules/data/text): the WHATWG TextDecoder and TextEncoder for UTF-8. */
declare module "text/decoder" {
	export default class TextDecoder {
		constructor(label?: "utf-8", options?: { fatal?: boolean; ignoreBOM?: boolean });
		/** Invalid bytes become U+FFFD unless `fatal` was set, which makes them throw. */
		decode(input?: Uint8Array | ArrayBuffer, options?: { stream?: boolean }): string;
	}
}

declare module "text/encoder" {
	export default class TextEncoder {
		constructor();
		encode(input: string): Uint8Array;
		encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
	}
}
