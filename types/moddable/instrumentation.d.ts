/* Moddable `instrumentation` (modules/base/instrumentation): counters by index; undefined in builds without instrumentation. */
declare module "instrumentation" {
	const Instrumentation: {
		/** The index of a counter by its name (e.g. "XS Slot Heap Used"), undefined where unknown. */
		map(name: "System Free Memory" | "XS Slot Heap Used" | "XS Chunk Heap Used" | "XS Keys Used" | "XS Garbage Collection Count" | "XS Stack Used"): number | undefined;
		get(index: number): number | undefined;
		name(index: number): string | undefined;
	};
	export default Instrumentation;
}
