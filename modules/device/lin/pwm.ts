/*
 * `embedded:io/pwm` for the Moddable Linux simulator build, which has no PWM: the same class
 * shape, mapped in by manifest.json's `lin` section. The duty is kept; nothing is logged (the
 * status LED logs its patterns itself).
 */

interface StandInOptions {
	pin: number;
	hz?: number;
	resolution?: number;
}

export default class PWM {
	readonly hz: number;
	readonly resolution: number;
	format = "number";
	duty = 0;

	constructor(options: StandInOptions) {
		this.hz = options.hz ?? 1024;
		this.resolution = options.resolution ?? 10;
	}

	write(value: number): void {
		if (!(value >= 0 && value < 1 << this.resolution)) throw new RangeError("invalid value");
		this.duty = value;
	}

	close(): void {}
}
