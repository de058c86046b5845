/* Moddable `timer` (modules/base/timer). */
declare module "timer" {
	export interface TimerHandle {
		readonly __timer: unique symbol;
	}

	const Timer: {
		/** Calls `callback` once after `ms` (and every `repeat` ms after that when given). */
		set(callback: (timer: TimerHandle) => void, ms?: number, repeat?: number): TimerHandle;
		/** Calls `callback` every `ms`. */
		repeat(callback: (timer: TimerHandle) => void, ms: number): TimerHandle;
		/** Cancels a timer; a timer that already fired or was cleared is ignored. */
		clear(timer: TimerHandle | undefined | null): void;
	};
	export default Timer;
}
