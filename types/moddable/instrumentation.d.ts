/* Moddable `instrumentation` (modules/base/instrumentation): counters by index; undefined in builds without instrumentation. */
declare module "instrumentation" {
	const Instrumentation: {
		/** The index of a counter by its name (e.g. "XS Slot Heap Used"), undefined where unknown. */
		map(name: string): number | undefined;
		get(index: number): number | undefined;
		name(index: number): string | undefined;
	};
	export default Instrumentation;
}
