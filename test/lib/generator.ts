/*
 * A repeatable generator of test values (xorshift32, seeded): the same values on Node and inside
 * XS, so that a spec that compares two readers over generated input fails the same way on both.
 */

/** Each call picks one piece of a list, or makes a string of an alphabet. */
export function generator(seed: number) {
	let state = seed >>> 0 || 1;
	const next = () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 4294967296;
	};
	return {
		pick<T>(list: readonly T[]): T {
			return list[Math.floor(next() * list.length)];
		},
		/** A string of 0 to `most` characters of the alphabet. */
		text(alphabet: string, most: number): string {
			let out = "";
			for (let n = Math.floor(next() * (most + 1)); n > 0; n--) out += alphabet.charAt(Math.floor(next() * alphabet.length));
			return out;
		},
	};
}
