package org.graft.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.graft.common.BadDataException;
import org.graft.data.ImageBatchIterator;
import org.graft.evaluate.Evaluator;
import org.graft.model.EvaluationReport;
import org.graft.model.run.RunFolder;
import org.graft.model.run.TrainingPhase;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Iterator;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A phase through the whole network: every batch of images is decoded (and augmented, when asked), run forward
 * and backpropagated through the layers that learn, with discriminative learning rates (the head's and the
 * backbone's) following the phase's schedule.
 */
final class FineTuneLoop implements EpochLoop {
    private final LoopContext ctx;
    private final ComputationGraph graph;
    private final ImageBatchIterator trainIt;
    private final ImageBatchIterator valIt;
    private final ISchedule schedule;

    /** @param epochsDone epochs of this phase already trained (a resumed run): the schedule continues from there */
    FineTuneLoop(LoopContext ctx, ComputationGraph grafted, PhasePlan plan, int epochsDone) {
        this.ctx = ctx;
        TrainingConfig config = ctx.config();
        var train = ImageBatchIterator.builder().setImages(ctx.split().train().images()).setLabels(ctx.labels())
                .setLoader(ctx.loader()).optBatchSize(config.batchSize()).optShuffle(config.seed())
                .optSkipLog(ctx.skipped());
        if (plan.augment()) {
            train.optAugmentation(config.seed());
        }
        this.trainIt = train.build();
        int steps = (trainIt.numExamples() + config.batchSize() - 1) / config.batchSize();
        this.schedule = plan.learningRate(config.learningRate(), steps);
        this.graph = HeadGrafter.withLearningRates(grafted, schedule,
                plan.learningRate(config.backboneLearningRate(), steps), epochsDone * steps);
        this.valIt = ImageBatchIterator.builder().setImages(ctx.split().validation().images())
                .setLabels(ctx.labels()).setLoader(ctx.loader()).optBatchSize(config.inferenceBatch())
                .optSkipLog(ctx.skipped()).build();
    }

    @Override
    public EpochResult trainEpoch(int epoch, int epochInPhase) {
        trainIt.startEpoch(epochInPhase - 1);
        return fitEpoch(ctx, graph, trainIt, epoch, trainIt.numExamples());
    }

    /**
     * One fine-tuning epoch: {@code graph} fitted on each batch, the listeners told of every one; {@code images}
     * (before any is skipped as unreadable) sizes the progress bar. Shared with {@link TrunkFineTuneLoop}.
     */
    static EpochResult fitEpoch(LoopContext ctx, ComputationGraph graph, Iterator<DataSet> batches, int epoch,
                                int images) {
        TrainingConfig config = ctx.config();
        int count = (images + config.batchSize() - 1) / config.batchSize();
        TrainingListener.Pass pass = new TrainingListener.Pass("Epoch " + epoch + "/" + config.totalEpochs(),
                count, "batch");
        ctx.listeners().tell(l -> l.onPassStart(pass));
        double lossSum = 0;
        long seen = 0;
        int b = 0;
        while (batches.hasNext()) {
            DataSet batch = batches.next();
            graph.fit(batch);
            lossSum += graph.score() * batch.numExamples();
            seen += batch.numExamples();
            var done = new TrainingListener.TrainingBatch(epoch, TrainingPhase.FINETUNE, ++b, count, graph.score(),
                    seen);
            String status = String.format(Locale.ROOT, "loss %.4f", lossSum / seen);
            ctx.listeners().tell(l -> l.onTrainingBatch(done));
            ctx.listeners().tell(l -> l.onPassProgress(pass, 1, status));
        }
        ctx.listeners().tell(l -> l.onPassEnd(pass));
        if (seen == 0) {
            throw new BadDataException("None of the training images could be read.",
                    "See " + RunFolder.SKIPPED + " in the run folder for the reasons.");
        }
        return new EpochResult(lossSum / seen, Double.NaN, seen);
    }

    @Override
    public EvaluationReport validate() {
        valIt.reset();
        return validatePass(ctx, valIt, valIt.numExamples(), x -> graph.outputSingle(false, x));
    }

    /** A validation pass over {@code batches} ({@code images} in all), the listeners told of its progress. */
    static EvaluationReport validatePass(LoopContext ctx, Iterator<DataSet> batches, int images,
                                         UnaryOperator<INDArray> predict) {
        TrainingListener.Pass pass = new TrainingListener.Pass("Validating", images, "img");
        ctx.listeners().tell(l -> l.onPassStart(pass));
        Iterator<DataSet> counted = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public DataSet next() {
                DataSet ds = batches.next();
                ctx.listeners().tell(l -> l.onPassProgress(pass, ds.numExamples(), null));
                return ds;
            }
        };
        EvaluationReport report = Evaluator.evaluate(ctx.labels(), counted, predict);
        ctx.listeners().tell(l -> l.onPassEnd(pass));
        return report;
    }

    @Override
    public ComputationGraph classifier() {
        return graph;
    }

    @Override
    public ComputationGraph learningGraph() {
        return graph;
    }

    @Override
    public void restore(ComputationGraph checkpoint) {
        EpochLoop.copyTrainingState(checkpoint, graph);
    }

    @Override
    public double learningRate() {
        return EpochLoop.rateAtLastStep(schedule, graph);
    }
}
