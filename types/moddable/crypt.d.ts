/* Moddable `crypt` Digest (modules/crypt). */
declare module "crypt" {
	export class Digest {
		constructor(type: "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512");
		/** Adds a message: a string (its UTF-8 bytes) or bytes. */
		write(message: string | ArrayBuffer): void;
		/** The hash; frees the digest. */
		close(): ArrayBuffer;
	}
}
