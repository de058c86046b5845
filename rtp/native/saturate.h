/* The core's one saturation to 16 bits (internal to the C files; not part of the API). */
#ifndef KLINGEL_SATURATE_H
#define KLINGEL_SATURATE_H

#include <stdint.h>

static inline int16_t ka_saturate16(int32_t v)
{
	return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

#endif
