/*
 * G.722 at 64 kbit/s in plain TypeScript for the portable specs' reference audio (Node and XS):
 * the Recommendation's blocks one by one, numbers instead of int16 words. The state array has
 * the C core's length (G722_STATE_SAMPLES) and meaning: per band s, sz, nb, r1 r2, p1 p2, a1 a2,
 * b1..b6, d1..d6 (21 words), then 24 QMF history values. The native tests check the C core
 * against libspandsp; the host test checks this against the C core.
 */

const H = [3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876, 3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3];
const Q6 = [0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919];
const QM6 = [
	-136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
	-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
	24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
	4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
];
const QM4 = [0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0];
const RL42 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
const WL = [-60, -30, 58, 172, 334, 538, 1198, 3042];
const QM2 = [-7408, -1616, 7408, 1616];
const RH2 = [2, 1, 2, 1];
const WH = [0, -214, 798];
const BAND = 21, QMF = 42;
const S = 0, SZ = 1, NB = 2, R = 3, P = 5, A = 7, B = 9, D = 15;

const sat = (v: number): number => (v > 32767 ? 32767 : v < -32768 ? -32768 : v);
const sign = (v: number): number => (v < 0 ? -1 : 0);
const clamp = (v: number, low: number, high: number): number => (v < low ? low : v > high ? high : v);

/** 2^(i/32) in Q11. */
const ILB = [2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008];

/** SCALEL (low: shift 8, limit 18432) / SCALEH (high: shift 10, limit 22528). */
function stepSize(nb: number, limit: number, shift: number): number {
	const n = clamp(nb, 0, limit);
	const ilb = ILB[(n >> 6) & 31];
	const s = shift - (n >> 11);
	return (s < 0 ? ilb << -s : ilb >> s) << 2;
}
/** Block 4 for the quantised difference d of the band at `o` in `st`. */
function adapt(st: Int16Array, o: number, d: number): void {
	const r = sat(st[o + S] + d), p = sat(st[o + SZ] + d);
	const sgp = sign(p);
	let w = sat(st[o + A] * 4);
	if (sgp === sign(st[o + P])) w = -w;
	if (w > 32767) w = 32767;
	const a2 = clamp((w >> 7) + (sgp === sign(st[o + P + 1]) ? 128 : -128) + ((st[o + A + 1] * 32512) >> 15), -12288, 12288);
	const limit = 15360 - a2;
	const a1 = clamp(sat((sgp === sign(st[o + P]) ? 192 : -192) + ((st[o + A] * 32640) >> 15)), -limit, limit);
	for (let i = 0; i < 6; i++) {
		const step = d === 0 ? 0 : sign(st[o + D + i]) === sign(d) ? 128 : -128;
		st[o + B + i] = sat(step + ((st[o + B + i] * 32640) >> 15));
	}
	for (let i = 5; i > 0; i--) st[o + D + i] = st[o + D + i - 1];
	st[o + D] = d;
	st[o + R + 1] = st[o + R];
	st[o + R] = r;
	st[o + P + 1] = st[o + P];
	st[o + P] = p;
	st[o + A] = a1;
	st[o + A + 1] = a2;
	let sz = 0;
	for (let i = 0; i < 6; i++) sz += (st[o + B + i] * sat(st[o + D + i] * 2)) >> 15;
	st[o + SZ] = sat(sz);
	const sp = sat(((a1 * sat(r * 2)) >> 15) + ((a2 * sat(st[o + R + 1] * 2)) >> 15));
	st[o + S] = sat(sp + st[o + SZ]);
}

function nextScale(nb: number, multiplier: number, limit: number): number {
	return clamp(((nb * 127) >> 7) + multiplier, 0, limit);
}

function qmf(st: Int16Array, older: number, newer: number): [number, number] {
	for (let i = 0; i < 22; i++) st[QMF + i] = st[QMF + i + 2];
	st[QMF + 22] = older;
	st[QMF + 23] = newer;
	let a = 0, b = 0;
	for (let i = 0; i < 12; i++) {
		a += H[2 * i] * st[QMF + 23 - 2 * i];
		b += H[2 * i + 1] * st[QMF + 22 - 2 * i];
	}
	return [a, b];
}

export function g722Encode(st: Int16Array, pcm: Int16Array, codes: Uint8Array): void {
	for (let n = 0; n + 1 < pcm.length; n += 2) {
		const [xa, xb] = qmf(st, pcm[n], pcm[n + 1]);
		// lower band
		const detl = stepSize(st[NB], 18432, 8);
		const el = sat(((xa + xb) >> 14) - st[S]);
		const ml = el >= 0 ? el : -(el + 1);
		let m = 1;
		while (m < 30 && ml >= ((Q6[m] * detl) >> 12)) m++;
		const low = el < 0 ? (m <= 2 ? 64 - m : 34 - m) : 62 - m;
		st[NB] = nextScale(st[NB], WL[RL42[low >> 2]], 18432);
		adapt(st, 0, (detl * QM4[low >> 2]) >> 15);
		// higher band
		const deth = stepSize(st[BAND + NB], 22528, 10);
		const eh = sat(((xa - xb) >> 14) - st[BAND + S]);
		const big = (eh >= 0 ? eh : -(eh + 1)) >= ((564 * deth) >> 12);
		const high = eh < 0 ? (big ? 0 : 1) : big ? 2 : 3;
		st[BAND + NB] = nextScale(st[BAND + NB], WH[RH2[high]], 22528);
		adapt(st, BAND, (deth * QM2[high]) >> 15);
		codes[n >> 1] = (high << 6) | low;
	}
}

export function g722Decode(st: Int16Array, codes: Uint8Array, pcm: Int16Array): void {
	for (let n = 0; n < codes.length; n++) {
		const low = codes[n] & 63, high = codes[n] >> 6;
		const detl = stepSize(st[NB], 18432, 8), deth = stepSize(st[BAND + NB], 22528, 10);
		const rl = clamp(st[S] + ((detl * QM6[low]) >> 15), -16384, 16383);
		st[NB] = nextScale(st[NB], WL[RL42[low >> 2]], 18432);
		adapt(st, 0, (detl * QM4[low >> 2]) >> 15);
		const dh = (deth * QM2[high]) >> 15;
		const rh = clamp(st[BAND + S] + dh, -16384, 16383);
		st[BAND + NB] = nextScale(st[BAND + NB], WH[RH2[high]], 22528);
		adapt(st, BAND, dh);
		const [xa, xb] = qmf(st, rl + rh, rl - rh);
		pcm[2 * n] = sat(xa >> 11);
		pcm[2 * n + 1] = sat(xb >> 11);
	}
}
