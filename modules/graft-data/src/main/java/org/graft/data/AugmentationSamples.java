package org.graft.data;

import org.bytedeco.opencv.opencv_core.Mat;
import org.graft.common.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Example augmented images for reports, so that a user can see what training looked at (and spot an augmentation
 * that destroys what tells the classes apart).
 */
public final class AugmentationSamples {
    private AugmentationSamples() {
    }

    /**
     * Writes, for each readable image, {@code sample-K-0.png} (the plain centre crop, as validation sees it) and
     * {@code sample-K-1.png} .. {@code sample-K-N.png} (augmented variants), K counting the readable images from 1.
     * The images are 8-bit, cropHeight x cropWidth, before scaling and normalisation, made by the same code as
     * training batches. Each file is written atomically; unreadable images are skipped.
     *
     * @return the files written, in order
     */
    public static List<Path> write(List<Path> images, Augmentation augmentation, Preprocessing preprocessing,
                                   Path outDir, int variantsPerImage, long seed) throws IOException {
        if (variantsPerImage < 0) {
            throw new IllegalArgumentException("variantsPerImage must not be negative");
        }
        ImageLoader loader = new ImageLoader(preprocessing, augmentation);
        List<Path> written = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < images.size(); i++) {
            List<byte[]> pngs = new ArrayList<>();
            try {
                // variant 0 has no Random: exactly what validation and prediction load
                for (int v = 0; v <= variantsPerImage; v++) {
                    Random random = v == 0 ? null : ImageBatchIterator.augmentationRandom(seed, v, i);
                    try (Mat crop = loader.loadCrop(images.get(i), random)) {
                        pngs.add(ImageAugmenter.png(crop));
                    }
                }
            } catch (UnreadableImageException e) {
                continue;
            }
            k++;
            for (int v = 0; v < pngs.size(); v++) {
                Path file = outDir.resolve("sample-" + k + "-" + v + ".png");
                AtomicFiles.write(file, pngs.get(v));
                written.add(file);
            }
        }
        return written;
    }

    /** The first image of each of the first {@code max} classes, so that the samples show the variety. */
    public static List<Path> onePerClass(List<ImageEntry> entries, int max) {
        List<Path> images = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ImageEntry e : entries) {
            if (images.size() < max && seen.add(e.label())) {
                images.add(e.path());
            }
        }
        return images;
    }
}
