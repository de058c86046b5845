/* Moddable `timer` (modules/base/timer). */
declare module "timer" {
	// Not exported: the SDK's own typings (typings/timer.d.ts) name the handle Timer and export
	// only the default, so code that named this type failed the SDK's TypeScript step.
	interface TimerHandle {
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
