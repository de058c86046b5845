/*
 * G.711 µ-law and A-law through constant tables (tables.c: 16 KB + 4 KB to encode, 1 KB to
 * decode; const data, which the ESP32 keeps in flash): one load per sample each way. The loops
 * are unrolled by eight, which gcc -O2 does not do by itself; the per-frame cost is measured by
 * bench/native-audio.bench.ts.
 */
#include "klingel_audio.h"
#include "tables.h"

uint8_t ka_encode_sample(ka_law law, int16_t sample)
{
	uint32_t bits = (uint16_t)sample;
	return law == KA_LAW_PCMA ? ka_alaw_encode_table[bits >> 4] : ka_ulaw_encode_table[bits >> 2];
}

int16_t ka_decode_sample(ka_law law, uint8_t code)
{
	return law == KA_LAW_PCMA ? ka_alaw_decode_table[code] : ka_ulaw_decode_table[code];
}

/* codes[i] = table[(uint16_t)pcm[i] >> shift] */
static void encode_with(const uint8_t *table, unsigned shift, const int16_t *pcm, uint8_t *codes, size_t count)
{
	size_t i = 0;
	for (; i + 8 <= count; i += 8) {
		uint32_t a = (uint16_t)pcm[i], b = (uint16_t)pcm[i + 1], c = (uint16_t)pcm[i + 2], d = (uint16_t)pcm[i + 3];
		uint32_t e = (uint16_t)pcm[i + 4], f = (uint16_t)pcm[i + 5], g = (uint16_t)pcm[i + 6], h = (uint16_t)pcm[i + 7];
		codes[i] = table[a >> shift];
		codes[i + 1] = table[b >> shift];
		codes[i + 2] = table[c >> shift];
		codes[i + 3] = table[d >> shift];
		codes[i + 4] = table[e >> shift];
		codes[i + 5] = table[f >> shift];
		codes[i + 6] = table[g >> shift];
		codes[i + 7] = table[h >> shift];
	}
	for (; i < count; i++) codes[i] = table[(uint32_t)(uint16_t)pcm[i] >> shift];
}

void ka_encode(ka_law law, const int16_t *pcm, uint8_t *codes, size_t count)
{
	if (law == KA_LAW_PCMA) encode_with(ka_alaw_encode_table, 4, pcm, codes, count);
	else encode_with(ka_ulaw_encode_table, 2, pcm, codes, count);
}

void ka_decode(ka_law law, const uint8_t *codes, int16_t *pcm, size_t count)
{
	const int16_t *table = law == KA_LAW_PCMA ? ka_alaw_decode_table : ka_ulaw_decode_table;
	size_t i = 0;
	for (; i + 8 <= count; i += 8) {
		uint32_t a = codes[i], b = codes[i + 1], c = codes[i + 2], d = codes[i + 3];
		uint32_t e = codes[i + 4], f = codes[i + 5], g = codes[i + 6], h = codes[i + 7];
		pcm[i] = table[a];
		pcm[i + 1] = table[b];
		pcm[i + 2] = table[c];
		pcm[i + 3] = table[d];
		pcm[i + 4] = table[e];
		pcm[i + 5] = table[f];
		pcm[i + 6] = table[g];
		pcm[i + 7] = table[h];
	}
	for (; i < count; i++) pcm[i] = table[codes[i]];
}
