/*
 * `embedded:io/digital` for the Moddable Linux simulator build, which has no GPIO: the same
 * class shape, mapped in by manifest.json's `lin` platform section. Inputs read as released
 * (1, pulled up) and never change; writes to outputs are logged, so the relay pulses of a door
 * opening show in the console.
 */

interface StandInOptions {
	pin: number;
	mode: number;
	edge?: number;
	onReadable?: () => void;
}

export default class Digital {
	static readonly Input = 0;
	static readonly InputPullUp = 1;
	static readonly InputPullDown = 2;
	static readonly InputPullUpDown = 3;
	static readonly Output = 8;
	static readonly OutputOpenDrain = 9;
	static readonly Rising = 1;
	static readonly Falling = 2;

	#pin: number;
	#output: boolean;
	#value: 0 | 1;
	#closed = false;

	constructor(options: StandInOptions) {
		this.#pin = options.pin;
		this.#output = options.mode >= Digital.Output;
		this.#value = options.mode === Digital.InputPullDown ? 0 : 1;
		if (this.#output) this.#value = 0;
		trace(`digital stand-in: GPIO${this.#pin} as ${this.#output ? "output" : "input"} (no GPIO in the simulator)\n`);
	}

	read(): 0 | 1 {
		return this.#value;
	}

	write(value: 0 | 1): void {
		if (this.#closed) throw new Error(`GPIO${this.#pin} is closed`);
		if (!this.#output) throw new Error(`GPIO${this.#pin} is an input`);
		const level: 0 | 1 = value ? 1 : 0;
		if (level !== this.#value) trace(`digital stand-in: GPIO${this.#pin} = ${level}\n`);
		this.#value = level;
	}

	close(): void {
		this.#closed = true;
	}

	get format(): "number" {
		return "number";
	}

	set format(value: "number") {
		if (value !== "number") throw new RangeError("only the number format");
	}
}
