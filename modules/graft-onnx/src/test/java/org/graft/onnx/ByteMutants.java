package org.graft.onnx;

import java.util.Arrays;
import java.util.Random;

/**
 * Damaged copies of a file's bytes, as disks and downloads damage them, for the fuzz tests of every format Graft
 * reads (here and in graft-cli's FuzzCheck): three of four have 1–4 random bytes changed, every fourth is cut at a
 * random length. The same seed gives the same mutants.
 */
public final class ByteMutants {
    private final byte[] original;
    private final Random random;

    public ByteMutants(byte[] original, long seed) {
        this.original = original.clone();
        this.random = new Random(seed);
    }

    /** The {@code i}-th mutant (call with i = 0, 1, 2, ... in turn). */
    public byte[] mutant(int i) {
        if (i % 4 == 3) {
            return Arrays.copyOf(original, random.nextInt(original.length));
        }
        byte[] bytes = original.clone();
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }
}
