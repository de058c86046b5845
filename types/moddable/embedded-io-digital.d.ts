/* ECMA-419 digital pin (Moddable: modules/io/digital). */
declare module "embedded:io/digital" {
	export interface DigitalOptions {
		/** GPIO number. */
		pin: number;
		/** One of Digital.Input, InputPullUp, InputPullDown, InputPullUpDown, Output, OutputOpenDrain. */
		mode: number;
		/** Digital.Rising, Digital.Falling or both (or-ed); needed with onReadable. */
		edge?: number;
		/** Called on the configured edges; the value is read with read(). */
		onReadable?: (this: Digital) => void;
		format?: "number";
		target?: unknown;
	}

	export default class Digital {
		static readonly Input: number;
		static readonly InputPullUp: number;
		static readonly InputPullDown: number;
		static readonly InputPullUpDown: number;
		static readonly Output: number;
		static readonly OutputOpenDrain: number;
		static readonly Rising: number;
		static readonly Falling: number;
		constructor(options: DigitalOptions);
		read(): 0 | 1;
		write(value: 0 | 1): void;
		close(): void;
		format: "number";
	}
}
