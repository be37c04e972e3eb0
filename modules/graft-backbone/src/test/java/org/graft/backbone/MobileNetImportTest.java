package org.graft.backbone;

import org.graft.common.Fetcher;
import org.graft.common.SharedMaterial;
import org.graft.data.ImageLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real ImageNet-pretrained Keras MobileNet v1 0.25 imports and recognises a cat. */
class MobileNetImportTest {
    static Backbone backbone;

    static final String NEEDS = "models/mobilenet_v1_0.25_224.h5 and models/imagenet-check";

    @BeforeAll
    static void load(@TempDir Path cache) {
        if (SharedMaterial.find("models/mobilenet_v1_0.25_224.h5").isEmpty()
                || SharedMaterial.find("models/imagenet-check").isEmpty()) {
            System.err.println(SharedMaterial.absentMessage(NEEDS));
            return;
        }
        Fetcher fetcher = Fetcher.builder().setCacheDir(cache).optMirrorDir(SharedMaterial.find().get())
                .optOffline(true).build();
        backbone = BackboneLoader.builder().setFetcher(fetcher).build().load("mobilenet-v1-0.25");
    }

    @BeforeEach
    void needsSharedMaterial() {
        assumeTrue(backbone != null, SharedMaterial.absentMessage(NEEDS));
    }

    @Test
    void featureLayerIsTheGlobalPoolingWith256Features() {
        assertEquals("global_average_pooling2d_1", backbone.featureLayer());
        assertArrayEquals(new long[]{256}, backbone.featureShape());
        assertEquals("global_average_pooling2d_1", FeatureLayers.detect(backbone.graph()),
                "detection agrees with the registry");
    }

    @Test
    void ranksACatClassInTheTop5ForTheCatPhoto() throws Exception {
        Path photo = SharedMaterial.find("models/imagenet-check/cat.bmp").orElseThrow();
        List<String> labels = Files.readAllLines(SharedMaterial.find("models/imagenet-check/imagenet_labels.txt")
                .orElseThrow());
        ImageLoader loader = new ImageLoader(backbone.preprocessing());
        INDArray x = Nd4j.create(loader.load(photo), backbone.preprocessing().shape(1), 'c');
        float[] probs = backbone.graph().outputSingle(x).toFloatVector();
        assertEquals(1000, probs.length);
        assertEquals(1.0, IntStream.range(0, probs.length).mapToDouble(i -> probs[i]).sum(), 1e-3);
        List<String> top5 = new ArrayList<>();
        IntStream.range(0, probs.length).boxed().sorted(Comparator.comparingDouble(i -> -probs[i])).limit(5)
                .forEach(i -> top5.add(labels.get(i + 1) + String.format(" (%.3f)", probs[i])));
        System.out.println("MobileNet 0.25 top 5 for cat.bmp: " + top5);
        assertTrue(top5.stream().anyMatch(s -> s.startsWith("tabby") || s.startsWith("tiger cat")
                || s.startsWith("Egyptian cat")), "a cat class in " + top5);
    }

    @Test
    void checkPhotosGetDistinctPredictions() throws Exception {
        // A broken import (e.g. wrong channel order or layout) tends to give every photo the same answer.
        ImageLoader loader = new ImageLoader(backbone.preprocessing());
        List<Integer> argmax = new ArrayList<>();
        for (String name : List.of("cat.bmp", "bird.bmp", "grace_hopper.bmp")) {
            Path photo = SharedMaterial.find("models/imagenet-check/" + name).orElseThrow();
            INDArray x = Nd4j.create(loader.load(photo), backbone.preprocessing().shape(1), 'c');
            argmax.add(backbone.graph().outputSingle(x).argMax(1).getInt(0));
        }
        assertEquals(3, argmax.stream().distinct().count(), "argmax per photo: " + Arrays.toString(argmax.toArray()));
    }
}
