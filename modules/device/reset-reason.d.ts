/** Why the chip last started: the ESP-IDF reason code and its name ("Power-On", "Panic", …). */
export default function resetReason(): { reason: number; string: string };
