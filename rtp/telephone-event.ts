/*
 * RFC 4733 telephone-event: which key a packet stands for, once per event. An event is known by
 * its RTP timestamp (every packet of one key press, the three end packets included, carries the
 * timestamp of the event's start), so a new timestamp is a new key press whether or not the
 * sender set the marker bit, and the first packet that arrives reports it.
 */

/** Event codes 0-15 (RFC 4733 §3.2). */
export const DTMF_DIGITS = "0123456789*#ABCD";
const DIGITS: readonly string[] = Object.freeze(DTMF_DIGITS.split(""));

export class TelephoneEventDetector {
	#seen = false;
	#lastTimestamp = 0;
	/** Events reported, repeats dropped and payloads too short to read. */
	events = 0;
	repeats = 0;
	malformed = 0;
	/** Events other than 0-15 (flash, tones): noted and skipped. */
	ignored = 0;

	/** Forgets the last event (a new peer or SSRC). */
	reset(): void {
		this.#seen = false;
	}

	/**
	 * One telephone-event packet: returns its digit if it starts a new event, else "". The
	 * marker bit is not needed (some senders never set it).
	 */
	feed(bytes: Uint8Array, offset: number, length: number, timestamp: number): string {
		if (length < 4) {
			this.malformed++;
			return "";
		}
		if (this.#seen && timestamp === this.#lastTimestamp) {
			this.repeats++;
			return "";
		}
		this.#seen = true;
		this.#lastTimestamp = timestamp;
		const event = bytes[offset];
		if (event >= DIGITS.length) {
			this.ignored++;
			return "";
		}
		this.events++;
		return DIGITS[event];
	}
}

/** Writes a 4-byte event payload (for tests and tools): event, end flag, volume, duration. */
export function writeTelephoneEvent(bytes: Uint8Array, offset: number, event: number, end: boolean, volume: number, duration: number): number {
	bytes[offset] = event;
	bytes[offset + 1] = (end ? 0x80 : 0) | (volume & 0x3f);
	bytes[offset + 2] = (duration >>> 8) & 0xff;
	bytes[offset + 3] = duration & 0xff;
	return 4;
}
