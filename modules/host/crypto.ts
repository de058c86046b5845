import { createHash, randomFillSync } from "node:crypto";
import type { Md5, RandomBytes } from "../ports.js";

export const nodeMd5: Md5 = (text) => createHash("md5").update(text, "utf8").digest("hex");

export const nodeRandom: RandomBytes = (target) => {
	randomFillSync(target);
};
