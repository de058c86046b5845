/*
 * RFC 4733 telephone-event: which key a packet stands for, once per event. An event is known by
 * its RTP timestamp (every packet of one key press, the three end packets included, carries the
 * timestamp of the event's start), so a new timestamp is a new key press whether or not the
 * sender set the marker bit, and the first packet that arrives reports it. A packet whose
 * timestamp lies behind the last event's is a late one of an earlier event (the network
 * reordered it: its third end packet after the next key's start), not a key press: taken for
 * one, it would add a digit to the code being keyed, and make the next key's packets count
 * again. The same timestamp with another key is a new key press (a sender whose clock stood
 * still, sending no audio).
 */

/** Event codes 0-15 (RFC 4733 §3.2). */
export const DTMF_DIGITS = "0123456789*#ABCD";
const DIGITS: readonly string[] = Object.freeze(DTMF_DIGITS.split(""));

/**
 * How far behind the last event's timestamp (RTP clock units) a packet is still a late one of
 * an earlier event: 4 s at 8 kHz, far longer than the network keeps a packet. A timestamp
 * further back is a sender that started its clock over, and its packet is a new event.
 */
const LATE_WINDOW = 32000;

export class TelephoneEventDetector {
	#seen = false;
	#lastTimestamp = 0;
	#lastEvent = 0;
	/** Events reported, repeats (late packets of an earlier event among them) dropped, and payloads too short to read. */
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
		const event = bytes[offset];
		if (this.#seen) {
			// Positive: the packet's event began before the last one (the timestamp wraps at 2^32).
			const behind = (this.#lastTimestamp - timestamp) | 0;
			if (behind === 0 ? event === this.#lastEvent : behind > 0 && behind <= LATE_WINDOW) {
				this.repeats++;
				return "";
			}
		}
		this.#seen = true;
		this.#lastTimestamp = timestamp;
		this.#lastEvent = event;
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
