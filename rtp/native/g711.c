/* G.711 µ-law and A-law through constant tables (tables.c): one load per sample each way. */
#include "klingel_audio.h"
#include "tables.h"

uint8_t ka_encode_sample(int law, int16_t sample)
{
	uint16_t bits = (uint16_t)sample;
	return law == KA_LAW_PCMA ? ka_alaw_encode_table[bits >> 4] : ka_ulaw_encode_table[bits >> 2];
}

int16_t ka_decode_sample(int law, uint8_t code)
{
	return law == KA_LAW_PCMA ? ka_alaw_decode_table[code] : ka_ulaw_decode_table[code];
}

void ka_encode(int law, const int16_t *pcm, uint8_t *codes, size_t count)
{
	size_t i;
	if (law == KA_LAW_PCMA) {
		for (i = 0; i < count; i++) codes[i] = ka_alaw_encode_table[(uint16_t)pcm[i] >> 4];
	}
	else {
		for (i = 0; i < count; i++) codes[i] = ka_ulaw_encode_table[(uint16_t)pcm[i] >> 2];
	}
}

void ka_decode(int law, const uint8_t *codes, int16_t *pcm, size_t count)
{
	const int16_t *table = law == KA_LAW_PCMA ? ka_alaw_decode_table : ka_ulaw_decode_table;
	size_t i;
	for (i = 0; i < count; i++) pcm[i] = table[codes[i]];
}
