/* Moddable `time` (modules/base/time). */
declare module "time" {
	const Time: {
		/** Milliseconds from a fixed start; on ESP32 a 32-bit counter that wraps. */
		readonly ticks: number;
		/** Milliseconds from `start` to `end` (to now when absent), across a wrap. */
		delta(start: number, end?: number): number;
		/** Sets the wall clock, in seconds since 1970. */
		set(seconds: number): void;
	};
	export default Time;
}
