import type { DigitalOut } from "../../modules/ports.js";
import type { FakeClock } from "./fake-clock.js";

/** A relay output that records (clock time, value) for every write, and can be told to fail. */
export class RecordingOut implements DigitalOut {
	readonly writes: Array<[number, number]> = [];
	closed = false;
	/** Writes of 0 that throw before one goes through. */
	failWrites = 0;
	/** Writes of 1 throw. */
	failOn = false;
	constructor(readonly clock: FakeClock) {}
	get value(): number {
		return this.writes.length ? this.writes[this.writes.length - 1][1] : -1;
	}
	write(value: number): void {
		if (value === 0 && this.failWrites > 0) {
			this.failWrites--;
			throw new Error("i2c bus busy");
		}
		if (value === 1 && this.failOn) throw new Error("gpio fault");
		this.writes.push([this.clock.now(), value]);
	}
	close(): void {
		this.closed = true;
	}
	/** [start, end] of every completed on→off pulse. */
	pulses(): Array<[number, number]> {
		const out: Array<[number, number]> = [];
		let start = -1;
		for (const [t, v] of this.writes) {
			if (v === 1 && start < 0) start = t;
			else if (v === 0 && start >= 0) {
				out.push([start, t]);
				start = -1;
			}
		}
		return out;
	}
}
