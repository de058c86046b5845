/* Globals of the XS engine on a Moddable device that the device provider uses. */

/** Writes to the debug output (serial console or xsbug); no newline is added. */
declare function trace(...items: (string | number | boolean)[]): void;

interface ArrayBufferConstructor {
	/** The UTF-8 bytes of a string. */
	fromString(text: string): ArrayBuffer;
}

interface StringConstructor {
	/** A string from UTF-8 bytes; throws on bytes that are not UTF-8. */
	fromArrayBuffer(buffer: ArrayBufferLike): string;
}
