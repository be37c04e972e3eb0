package org.graft.train;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a person should know about a graph about to be fine-tuned: how much of it learns, at what rates. */
final class TrainableLayers {
    private TrainableLayers() {
    }

    /** One line on the layers that learn and stay frozen, and a warning for BatchNorm that could not be folded. */
    static List<String> describe(ComputationGraph graph, TrainingConfig config) {
        int frozen = 0;
        int learning = 0;
        int batchNorm = 0;
        for (Layer layer : graph.getLayers()) {
            if (layer.numParams() == 0) {
                continue;
            }
            // a frozen layer's conf() is the wrapped layer's, so the implementation tells frozen from not
            if (layer instanceof FrozenLayer) {
                frozen++;
            } else {
                learning++;
                batchNorm += layer.conf().getLayer() instanceof BatchNormalization ? 1 : 0;
            }
        }
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "Fine-tuning: %d layers learn (backbone lr %.2g, head lr %.2g, %s "
                        + "schedule, %d warm-up epoch(s)), %d stay frozen", learning, config.backboneLearningRate(),
                config.learningRate(), config.schedule().cliName(), config.warmupEpochs(), frozen));
        if (batchNorm > 0 && !config.trainBatchNorm()) {
            notes.add(String.format(Locale.ROOT, "Note: %d BatchNorm layer(s) do not follow a convolution and could "
                    + "not be frozen by folding; they update their statistics", batchNorm));
        }
        return notes;
    }
}
