import { createHash, randomFillSync } from "node:crypto";
import type { Md5, RandomBytes, Sha256, Sha256Stream } from "../ports.js";

export const nodeMd5: Md5 = (text) => createHash("md5").update(text, "utf8").digest("hex");

export const nodeSha256: Sha256 = (text) => createHash("sha256").update(text, "utf8").digest("hex");

export function nodeSha256Stream(): Sha256Stream {
	const hash = createHash("sha256");
	return { write: (piece) => void hash.update(piece), close: () => hash.digest("hex") };
}

export const nodeRandom: RandomBytes = (target) => {
	randomFillSync(target);
};
